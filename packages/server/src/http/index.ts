/** HTTP API (spec section 5): one plugin per resource. OWNER: http helper. */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app.js';

export async function registerHttp(app: FastifyInstance, deps: Required<AppDeps>): Promise<void> {
  void deps;
  app.get('/healthz', async () => ({ ok: true }));
}

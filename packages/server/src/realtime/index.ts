/** WebSocket gateways (spec sections 2 and 3). OWNER: realtime helper. */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app.js';

export interface Realtime {
  /** Stops accepting sockets and closes open ones with 1012 (service restart) so clients reconnect. */
  drain(): Promise<void>;
}

export async function registerRealtime(app: FastifyInstance, deps: Required<AppDeps>): Promise<Realtime> {
  void app;
  void deps;
  return { drain: async () => {} };
}

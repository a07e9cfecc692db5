/** GET /healthz (alive) and GET /readyz (storage reachable). No login. */
import type { FastifyInstance } from 'fastify';
import { ApiError, Health } from '@cw/protocol/api';
import { sendError } from './errors.js';
import { defineRoute, type HttpCtx } from './route.js';

/** Registers the health routes. */
export async function healthRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const log = ctx.deps.logger.child({ module: 'http-health' });
  const ok = Health;
  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/healthz', tag: 'health', summary: 'Liveness', access: 'public', responses: { 200: { description: 'Alive', schema: ok } } },
    async (_req, reply) => reply.header('cache-control', 'no-store').send({ ok: true }),
  );
  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/readyz',
      tag: 'health',
      summary: 'Readiness: storage reachable',
      access: 'public',
      responses: { 200: { description: 'Ready', schema: ok }, 503: { description: 'Storage unreachable', schema: ApiError } },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      try {
        await ctx.deps.storage.ping();
        return reply.send({ ok: true });
      } catch (err) {
        log.warn({ err }, 'storage not reachable');
        return sendError(reply, 'unavailable');
      }
    },
  );
}

/**
 * GET /healthz (the process is sound) and GET /readyz (it can serve: storage
 * reachable, and in cluster mode Redis too — spec 10). No login. A load
 * balancer takes a process that is not ready out of rotation.
 */
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
      summary: 'Readiness: storage reachable (and Redis, in cluster mode)',
      access: 'public',
      responses: { 200: { description: 'Ready', schema: ok }, 503: { description: 'Storage or Redis unreachable', schema: ApiError } },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      // Answered within a few seconds whatever happens: a health check that hangs is as bad as one that lies.
      const [db, redis] = await Promise.allSettled([within(ctx.deps.storage.ping(), 3000, 'PostgreSQL'), ctx.deps.cluster ? ctx.deps.cluster.ping(2000) : Promise.resolve()]);
      if (db.status === 'fulfilled' && redis.status === 'fulfilled') return reply.send({ ok: true });
      const down = [db.status === 'rejected' ? (ctx.deps.storage.kind === 'postgres' ? 'PostgreSQL' : 'the database') : '', redis.status === 'rejected' ? 'Redis' : ''].filter(Boolean);
      log.warn({ down, err: db.status === 'rejected' ? db.reason : (redis as PromiseRejectedResult).reason }, 'not ready');
      return sendError(reply, 'unavailable', `Not ready: ${down.join(' and ')} ${down.length > 1 ? 'are' : 'is'} not reachable.`);
    },
  );
}

/** `p`, or a rejection after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, rej) => {
      t = setTimeout(() => rej(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

/**
 * GET /metrics (spec section 12): Prometheus text format for a scraper that
 * holds METRICS_TOKEN; 404 when no token is configured, so the endpoint does
 * not exist unless an operator asks for it. Also times every HTTP answer.
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';
import { defineRoute, errs, type HttpCtx } from './route.js';

function sameToken(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Times every HTTP answer (on the root instance, so that it sees every route). */
export function timeAnswers(app: FastifyInstance): void {
  const metrics = app.metrics;
  app.addHook('onResponse', async (req, reply) => {
    // The route's pattern, so that ids in URLs do not make a label value each.
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpAnswered(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
}

/** Registers /metrics. */
export async function metricsRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const metrics = app.metrics;
  const token = ctx.deps.config.metricsToken;

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/metrics',
      tag: 'metrics',
      summary: 'Prometheus metrics; needs Authorization: Bearer <METRICS_TOKEN>; 404 when METRICS_TOKEN is unset',
      access: 'public',
      responses: { 200: { description: 'Prometheus text format', schema: { type: 'string' }, contentType: 'text/plain' }, ...errs(401, 404) },
    },
    async (req, reply) => {
      if (!token) throw new HttpError('not-found', 'No route GET /metrics.');
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!m || !sameToken(m[1]!, token)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new HttpError('unauthorized', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.');
      }
      return reply.header('cache-control', 'no-store').type(metrics.contentType).send(await metrics.text());
    },
  );
}

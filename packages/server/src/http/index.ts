/**
 * HTTP API (spec section 5): one plugin per resource, wired here, plus the
 * cross-cutting parts — JSON errors for everything under /api, body parsing,
 * CSRF protection and security headers.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, type ErrorCode } from '@cw/protocol';
import type { AppContext } from '../app-deps.js';
import { HttpError, sendError } from './errors.js';
import { StorageConflictError } from '../storage/types.js';
import { csrfCheck } from './guard.js';
import { RouteTable, validatorCompiler, type HttpCtx } from './route.js';
import { authRoutes } from './auth.js';
import { userRoutes } from './users.js';
import { groupRoutes } from './groups.js';
import { directoryRoutes } from './directory.js';
import { widgetRoutes } from './widgets.js';
import { flagRoutes } from './flags.js';
import { presenceRoutes } from './presence.js';
import { chatRoutes } from './chats.js';
import { phoneSystemRoutes } from './phone-system.js';
import { healthRoutes } from './health.js';
import { openapiRoutes } from './openapi.js';
import { metricsRoutes, timeAnswers } from './metrics.js';
import { statsRoutes } from './stats.js';
import { webhookRoutes } from './webhooks.js';
import { auditRoutes } from './audit-log.js';
import { backupRoutes } from './backup.js';
import { scheduleRoutes } from './schedules.js';
import { staticRoutes, type StaticRoots } from './static.js';
import { LoginGuard } from '../auth/login-guard.js';
import { DependencyDownError, isUnavailableError } from '../unavailable.js';

export { RouteTable } from './route.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** the documented API routes, and every route registered (for the OpenAPI completeness test) */
    routeTable: RouteTable;
  }
}

/** Maps Fastify's own errors (body parsing, limits) to registry codes. */
function codeForStatus(status: number, fastifyCode: string | undefined): ErrorCode {
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) return 'unsupported-media-type';
  if (status === 413) return 'payload-too-large';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 405) return 'method-not-allowed';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate-limited';
  if (status === 503) return 'unavailable';
  return 'bad-request';
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

function messageFor(code: ErrorCode, err: FastifyError, bodyLimit?: number): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'The body is not valid JSON.';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return bodyLimit ? `The request body is too large (at most ${kib(bodyLimit)} here).` : 'The request body is too large.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Send the body as application/json.';
    default:
      return /^FST_ERR_CTP|JSON/.test(err.code ?? '') || err instanceof SyntaxError ? 'The body is not valid JSON.' : ERRORS[code].message;
  }
}

/**
 * Fastify's `frameworkErrors` option: errors the router raises before any
 * route or error handler runs (a malformed %-escape, an over-long parameter)
 * get the same JSON error shape as everything else.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const message = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A part of the URL is too long.' : err.code === 'FST_ERR_BAD_URL' ? 'The URL is malformed.' : ERRORS['bad-request'].message;
  void req;
  void sendError(reply.code(status), codeForStatus(status, err.code), message);
}

export interface HttpOptions {
  /** where the browser bundles are (tests point this elsewhere) */
  staticRoots?: StaticRoots;
}

/** Registers every HTTP route and the API's error handling on `app`. */
export async function registerHttp(app: FastifyInstance, deps: AppContext, opts: HttpOptions = {}): Promise<RouteTable> {
  const log = deps.logger.child({ module: 'http' });
  const table = new RouteTable();
  const ctx: HttpCtx = { deps, table };
  app.decorate('routeTable', table);
  app.decorate('loginGuard', new LoginGuard({ counters: deps.counters, ...deps.config.login }));
  app.addHook('onRoute', (r) => {
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) table.seen.push({ method: m, url: r.url });
  });

  // Route schemas (body, params, querystring) are checked by the protocol's validator, before the handler runs.
  app.setValidatorCompiler(validatorCompiler);

  // JSON only: text/plain (a CORS "simple" type a foreign page could send) is not parsed → 415.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  const json = (req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    // An empty JSON body (a DELETE sent by a generic client) means "no body", not an error.
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    defaultJson(req, body as string, done);
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, json);
  app.addContentTypeParser(/^application\/[a-z0-9.-]+\+json$/i, { parseAs: 'string' }, json);

  timeAnswers(app);

  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/api/')) await csrfCheck(deps.config)(req);
    // Cluster mode without Redis: a change would reach this process's sockets only (its event is lost on the way
    // to the others), so the API refuses changes until Redis is back. Reading still works.
    if (deps.cluster && req.method !== 'GET' && req.method !== 'HEAD' && req.url.startsWith('/api/') && !deps.cluster.healthy()) throw new DependencyDownError('Redis');
  });

  const hsts = deps.config.secureCookies ? `max-age=${deps.config.hstsMaxAgeS}` : '';
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    // Behind HTTPS (what SECURE_COOKIES says), browsers must not fall back to plain HTTP for a year (issue 11.8).
    if (hsts) reply.header('strict-transport-security', hsts);
    if (req.url.startsWith('/api/')) {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      // The preview page is a download meant to be opened elsewhere: no frame-ancestors there.
      if (!/\/preview\.html(\?|$)/.test(req.url)) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
    return payload;
  });

  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    if (err instanceof HttpError) return sendError(reply, err.code, err.message, err.field);
    // A unique index caught a race the handler's own check missed.
    if (err instanceof StorageConflictError) return sendError(reply, 'conflict', err.message, err.field);
    // PostgreSQL or Redis restarting: an outage to wait out, not a bug.
    if (isUnavailableError(err)) {
      log.warn({ err: { message: err.message, code: err.code }, url: req.url, method: req.method }, 'request failed: a dependency is not reachable');
      return sendError(reply, 'unavailable', err instanceof DependencyDownError ? err.message : 'The database or Redis is not reachable right now; try again in a moment.');
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code = codeForStatus(status, err.code);
      return sendError(reply, code, messageFor(code, err, req.routeOptions?.bodyLimit));
    }
    log.error({ err, url: req.url, method: req.method }, 'request failed');
    return sendError(reply, 'internal');
  });

  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.url === '/api') return sendError(reply, 'not-found', `No route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}.`);
    return reply.code(404).type('text/plain; charset=utf-8').send('Not found.\n');
  });

  for (const plugin of [healthRoutes, authRoutes, userRoutes, groupRoutes, directoryRoutes, widgetRoutes, flagRoutes, presenceRoutes, chatRoutes, statsRoutes, webhookRoutes, auditRoutes, backupRoutes, scheduleRoutes, metricsRoutes, phoneSystemRoutes, openapiRoutes])
    await app.register(async (instance) => plugin(instance, ctx));
  await app.register(async (instance) => staticRoutes(instance, { roots: opts.staticRoots }));
  return table;
}

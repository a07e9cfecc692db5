/** Sign-in: POST /api/login, POST /api/logout, GET /api/me, API tokens. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { loginSchema, tokenCreateSchema } from '@cw/protocol';
import { newSecret, readCookie, sha256, SESSION_COOKIE } from '../auth/credentials.js';
import { verifyDummy, verifyPassword } from '../auth/passwords.js';
import type { LoginGuard } from '../auth/login-guard.js';
import { HttpError, notFound, parseBody } from './errors.js';
import { arrayOf, defineRoute, errs, ref, type HttpCtx } from './route.js';
import { userView } from './views.js';

function sessionCookie(value: string, maxAgeS: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}

function clearCookie(reply: FastifyReply, secure: boolean): void {
  reply.header('set-cookie', sessionCookie('', 0, secure));
}

declare module 'fastify' {
  interface FastifyInstance {
    /** sign-in throttling; `checked` counts passwords actually hashed (tests, metrics) */
    loginGuard: LoginGuard;
  }
}

/** Registers the sign-in routes. */
export async function authRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage, config, clock } = ctx.deps;
  const log = ctx.deps.logger.child({ module: 'http-auth' });
  const guard = app.loginGuard;
  const ttlMs = config.sessionTtlH * 3600_000;
  let lastSweep = 0;

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/login',
      tag: 'auth',
      summary: 'Sign in; sets the HttpOnly session cookie cw_session',
      access: 'public',
      body: ref('Login'),
      responses: { 200: { description: 'Signed in; the current user', schema: ref('User') }, ...errs(400, 401, 429) },
    },
    async (req, reply) => {
      const { username, password } = parseBody(loginSchema, req.body);
      // Counted before the hash (in-flight attempts count), with a hashing slot held meanwhile.
      const admission = await guard.admit(req.ip, username);
      if (!admission.ok) {
        reply.header('retry-after', String(Math.ceil(admission.retryAfterMs / 1000)));
        throw new HttpError(
          'rate-limited',
          admission.why === 'busy' ? 'Too many sign-ins at once from your address. Try again in a second.' : 'Too many failed sign-in attempts. Try again later.',
        );
      }
      let user, good;
      try {
        user = await storage.users.getByUsername(username);
        good = user ? await verifyPassword(password, user.passwordHash) : await verifyDummy(password);
      } catch (err) {
        admission.attempt.failed();
        throw err;
      }
      if (!user || !good) {
        admission.attempt.failed();
        log.info({ ip: req.ip }, 'failed sign-in');
        throw new HttpError('invalid-credentials');
      }
      await admission.attempt.succeeded();
      const now = clock.now();
      const secret = newSecret();
      await storage.authSessions.create({ id: sha256(secret), userId: user.id, createdAt: now, expiresAt: now + ttlMs });
      if (now - lastSweep > 3600_000) {
        lastSweep = now;
        storage.authSessions.deleteExpired(now).catch((err) => log.warn({ err }, 'session sweep failed'));
      }
      reply.header('set-cookie', sessionCookie(secret, Math.floor(ttlMs / 1000), config.secureCookies));
      reply.header('cache-control', 'no-store');
      return userView(user);
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/logout',
      tag: 'auth',
      summary: 'End the session of the cookie (always succeeds)',
      access: 'public',
      responses: { 204: { description: 'Signed out' } },
    },
    async (req, reply) => {
      // No body is needed; one that is there must at least be a JSON object.
      if (req.body !== undefined && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)))
        throw new HttpError('validation-failed', 'The body must be empty or a JSON object.', '');
      const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (cookie && cookie.length <= 200) await storage.authSessions.delete(sha256(cookie));
      clearCookie(reply, config.secureCookies);
      return reply.code(204).send();
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/me',
      tag: 'auth',
      summary: 'The signed-in user',
      access: 'signed-in',
      responses: { 200: { description: 'The current user', schema: ref('User') }, ...errs(401) },
    },
    async (req) => userView(req.auth!.user),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/tokens',
      tag: 'auth',
      summary: 'Create an API token for yourself (shown once); it has your rights',
      access: 'any',
      body: ref('TokenCreate'),
      responses: { 201: { description: 'The token, shown only now', schema: ref('TokenCreated') }, ...errs(400, 401) },
    },
    async (req, reply) => {
      const { name } = parseBody(tokenCreateSchema, req.body);
      const token = `cwt_${newSecret()}`;
      const rec = await storage.apiTokens.create({ userId: req.auth!.user.id, name, tokenHash: sha256(token) });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ id: rec.id, name: rec.name, token, createdAt: rec.createdAt });
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/tokens',
      tag: 'auth',
      summary: 'Your API tokens (without the secrets)',
      access: 'any',
      responses: { 200: { description: 'Tokens', schema: arrayOf('Token') }, ...errs(401) },
    },
    async (req) =>
      (await storage.apiTokens.listForUser(req.auth!.user.id)).map((t) => ({ id: t.id, name: t.name, createdAt: t.createdAt })),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'DELETE',
      url: '/api/tokens/:id',
      tag: 'auth',
      summary: 'Revoke one of your API tokens',
      access: 'any',
      responses: { 204: { description: 'Revoked' }, ...errs(401, 404) },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const mine = (await storage.apiTokens.listForUser(req.auth!.user.id)).some((t) => t.id === id);
      if (!mine || !(await storage.apiTokens.delete(id))) throw notFound('token');
      return reply.code(204).send();
    },
  );
}

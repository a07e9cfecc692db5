/** Sign-in: POST /api/login, POST /api/logout, GET /api/me, API tokens. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdParams, Login, Me, MePatch, PasswordChange, Token, TokenCreate, TokenCreated, User } from '@cw/protocol/api';
import { newSecret, readCookie, sha256, SESSION_COOKIE } from '../auth/credentials.js';
import { hashPassword, verifyDummy, verifyPassword } from '../auth/passwords.js';
import { endOtherCredentials, publishRevoked } from '../auth/revocation.js';
import { refuseWeakPassword } from './users.js';
import type { LoginGuard } from '../auth/login-guard.js';
import { HttpError, notFound } from './errors.js';
import { arrayOf, defineRoute, errs, type HttpCtx } from './route.js';
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
  const { storage, config, clock, bus } = ctx.deps;
  const log = ctx.deps.logger.child({ module: 'http-auth' });
  const guard = app.loginGuard;
  const ttlMs = config.sessionTtlH * 3600_000;
  let lastSweep = 0;

  /** One of the caller's tokens as listed (the audit trail's view; never the secret). */
  const loadToken = async (id: string, req: FastifyRequest) => {
    const t = (await storage.apiTokens.listForUser(req.auth!.user.id)).find((x) => x.id === id);
    return t && { id: t.id, name: t.name, createdAt: t.createdAt };
  };

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/login',
      tag: 'auth',
      summary: 'Sign in; sets the HttpOnly session cookie cw_session',
      access: 'public',
      body: Login,
      responses: { 200: { description: 'Signed in; the current user', schema: User }, ...errs(400, 401, 429) },
    },
    async (req, reply) => {
      const { username, password } = req.body;
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
      if (cookie && cookie.length <= 200) {
        const id = sha256(cookie);
        // Consoles opened with this session close too, in whichever process holds them.
        if (await storage.authSessions.delete(id)) publishRevoked(bus, { sessions: [id], reason: 'signed out' });
      }
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
      responses: { 200: { description: 'The current user', schema: Me }, ...errs(401) },
    },
    async (req) => ({ ...userView(req.auth!.user), lang: req.auth!.user.lang ?? '' }),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'PATCH',
      url: '/api/me',
      tag: 'auth',
      summary: 'Change your own settings: the language of the admin app and agent console',
      access: 'signed-in',
      body: MePatch,
      responses: { 200: { description: 'The current user', schema: Me }, ...errs(400, 401) },
    },
    async (req) => {
      const user = await storage.users.update(req.auth!.user.id, { lang: req.body.lang });
      if (!user) throw new HttpError('unauthorized', 'The signed-in user no longer exists.', '');
      return { ...userView(user), lang: user.lang ?? '' };
    },
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
      audit: { action: 'token.create', load: loadToken },
      body: TokenCreate,
      responses: { 201: { description: 'The token, shown only now', schema: TokenCreated }, ...errs(400, 401) },
    },
    async (req, reply) => {
      const { name } = req.body;
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
      responses: { 200: { description: 'Tokens', schema: arrayOf(Token) }, ...errs(401) },
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
      audit: { action: 'token.delete', load: loadToken },
      params: IdParams,
      responses: { 204: { description: 'Revoked' }, ...errs(401, 404) },
    },
    async (req, reply) => {
      const { id } = req.params;
      const mine = (await storage.apiTokens.listForUser(req.auth!.user.id)).some((t) => t.id === id);
      if (!mine || !(await storage.apiTokens.delete(id))) throw notFound('token');
      publishRevoked(bus, { tokens: [id], reason: 'the token was revoked' });
      return reply.code(204).send();
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/me/password',
      tag: 'auth',
      summary: 'Change your own password; ends your other sessions and API tokens (this session stays)',
      access: 'signed-in',
      // The diff says the password changed (masked); the target is the caller.
      audit: { action: 'user.change-password', target: (req) => req.auth?.user.id, name: () => '' },
      body: PasswordChange,
      responses: { 204: { description: 'Changed' }, ...errs(400, 401, 429) },
    },
    async (req, reply) => {
      const { currentPassword, password } = req.body;
      const me = req.auth!;
      // The current password is checked like a sign-in: throttled, so a stolen session cannot guess it.
      const admission = await guard.admit(req.ip, me.user.username);
      if (!admission.ok) {
        reply.header('retry-after', String(Math.ceil(admission.retryAfterMs / 1000)));
        throw new HttpError('rate-limited', 'Too many attempts. Try again later.');
      }
      const good = await verifyPassword(currentPassword, me.user.passwordHash).catch(() => false);
      if (!good) {
        admission.attempt.failed();
        throw new HttpError('invalid-credentials', 'The current password is wrong.', 'currentPassword');
      }
      await admission.attempt.succeeded();
      await refuseWeakPassword(password, [me.user.username, me.user.displayName, me.user.email], config.passwordMinScore);
      const passwordHash = await hashPassword(password);
      const keep = me.via === 'session' ? me.sessionId : undefined;
      const revoked = await storage.transaction(async (tx) => {
        await tx.users.update(me.user.id, { passwordHash });
        return endOtherCredentials(tx, me.user.id, keep);
      });
      publishRevoked(bus, revoked);
      return reply.code(204).send();
    },
  );
}

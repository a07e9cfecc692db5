/**
 * Who may call a route: `requireRole` resolves the caller (cookie or token,
 * via auth/credentials.ts) and checks the role; `csrfCheck` protects
 * cookie-authenticated writes.
 *
 * CSRF choice (see docs/adr/0003-http-auth-csrf.md): a browser attaches the
 * session cookie on its own; a cross-site page can only send a POST (PUT,
 * PATCH and DELETE need a CORS preflight, which this server never grants),
 * and cannot send `Content-Type: application/json` without one either. So a
 * cookie-authenticated POST must be JSON or carry an `Origin` equal to this
 * server's own origin, and an `Origin` naming another site is refused on
 * every unsafe method. Bearer tokens are not sent by browsers on their own
 * and need no check.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Role } from '@cw/protocol';
import { authenticate, extractCredentials, readCookie, SESSION_COOKIE, type Authenticated } from '../auth/credentials.js';
import type { Storage } from '../storage/types.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { HttpError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** set by requireRole */
    auth?: Authenticated;
  }
}

/**
 * 'signed-in': any valid credentials; 'any': a user with the admin or agent
 * role (a user without roles is effectively disabled); 'admin'/'agent': that role.
 */
export type Access = 'public' | 'signed-in' | 'any' | 'agent' | 'admin';

/** The caller, resolved once per request. */
export async function caller(req: FastifyRequest, storage: Storage, clock: Clock): Promise<Authenticated | undefined> {
  if (req.auth) return req.auth;
  const auth = await authenticate(storage, extractCredentials(req.headers as { cookie?: string; authorization?: string }), clock.now());
  if (auth) req.auth = auth;
  return auth;
}

/** preHandler: 401 unauthorized without valid credentials, 403 forbidden with the wrong role. */
export function requireRole(role: Exclude<Access, 'public'>, storage: Storage, clock: Clock): preHandlerAsyncHookHandler {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const auth = await caller(req, storage, clock);
    if (!auth) throw new HttpError('unauthorized');
    if (role === 'signed-in') return;
    if (role === 'any') {
      if (!auth.user.roles.includes('admin') && !auth.user.roles.includes('agent')) throw new HttpError('forbidden', 'Your account has no role.');
      return;
    }
    if (!auth.user.roles.includes(role as Role)) throw new HttpError('forbidden', role === 'admin' ? 'This needs the admin role.' : 'This needs the agent role.');
  };
}

/** The request's own origin (scheme://host), honouring X-Forwarded-* only when trustProxy is set (Fastify does that). */
export function requestOrigin(req: FastifyRequest): string {
  const host = /^[A-Za-z0-9.\-:[\]]{1,300}$/.test(req.host ?? '') ? req.host : 'localhost';
  return `${req.protocol === 'https' ? 'https' : 'http'}://${host}`;
}

function sameOrigin(origin: string, req: FastifyRequest, config: Config): boolean {
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (config.publicUrl) {
    try {
      if (new URL(config.publicUrl).host === o.host) return true;
    } catch {
      /* a bad PUBLIC_URL only disables this comparison */
    }
  }
  return o.host === (req.host ?? '');
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** onRequest hook for /api: refuses cross-site writes that ride on the session cookie. */
export function csrfCheck(config: Config) {
  return async (req: FastifyRequest) => {
    if (!UNSAFE.has(req.method)) return;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null' && !sameOrigin(origin, req, config))
      throw new HttpError('csrf-rejected', `Requests from ${origin.slice(0, 200)} are not accepted.`);
    if (origin === 'null') throw new HttpError('csrf-rejected', 'Requests from an opaque origin are not accepted.');
    const usesCookie = readCookie(req.headers.cookie, SESSION_COOKIE) !== undefined && !/^Bearer\s/i.test(req.headers.authorization ?? '');
    if (!usesCookie || origin !== undefined || req.method !== 'POST') return;
    const ct = (req.headers['content-type'] ?? '').toLowerCase();
    if (!/^application\/([a-z0-9.+-]*\+)?json\b/.test(ct))
      throw new HttpError('csrf-rejected', 'Send JSON (Content-Type: application/json) or an Origin header with requests signed in by cookie.');
  };
}

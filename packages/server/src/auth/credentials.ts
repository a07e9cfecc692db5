/**
 * Who is calling: resolves a session cookie, a Bearer token or a `?token=`
 * query parameter to a user. Shared by the HTTP API and the agent channel.
 */
import crypto from 'node:crypto';
import type { Storage, UserRecord } from '../storage/types.js';

/** Name of the HttpOnly session cookie set by POST /api/login. */
export const SESSION_COOKIE = 'cw_session';

/** sha256 hex: how cookie values and API tokens are stored (never in the clear). */
export function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

/** A new random secret for a cookie or token (256 bits, base64url). */
export function newSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export interface Credentials {
  cookie?: string;
  bearer?: string;
  queryToken?: string;
}

export function extractCredentials(headers: { cookie?: string; authorization?: string }, url?: string): Credentials {
  const c: Credentials = {};
  const cookie = readCookie(headers.cookie, SESSION_COOKIE);
  if (cookie) c.cookie = cookie;
  const m = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (m) c.bearer = m[1];
  if (url) {
    const q = url.indexOf('?');
    if (q >= 0) {
      const t = new URLSearchParams(url.slice(q + 1)).get('token');
      if (t) c.queryToken = t;
    }
  }
  return c;
}

export interface Authenticated {
  user: UserRecord;
  via: 'session' | 'token';
  /** the auth session id (hash), when via session */
  sessionId?: string;
  /** when the session ends (via session) */
  expiresAt?: number;
  /** the API token's id and hash, when via token */
  tokenId?: string;
  tokenHash?: string;
}

/** Resolves credentials to a user; undefined when none are valid. Tokens win over cookies. */
export async function authenticate(storage: Storage, creds: Credentials, now = Date.now()): Promise<Authenticated | undefined> {
  for (const token of [creds.bearer, creds.queryToken]) {
    if (!token || token.length > 200) continue;
    const tokenHash = sha256(token);
    const t = await storage.apiTokens.getByHash(tokenHash);
    if (!t) continue;
    const user = await storage.users.get(t.userId);
    if (user) return { user, via: 'token', tokenId: t.id, tokenHash };
  }
  if (creds.cookie && creds.cookie.length <= 200) {
    const id = sha256(creds.cookie);
    const s = await storage.authSessions.get(id);
    if (s && s.expiresAt > now) {
      const user = await storage.users.get(s.userId);
      if (user) return { user, via: 'session', sessionId: id, expiresAt: s.expiresAt };
    }
  }
  return undefined;
}

/** True while the credentials `auth` was made from still hold (a long-lived socket re-checks them). */
export async function stillValid(storage: Storage, auth: Authenticated, now: number): Promise<boolean> {
  if (auth.via === 'token') return !!auth.tokenHash && (await storage.apiTokens.getByHash(auth.tokenHash))?.id === auth.tokenId;
  if (!auth.sessionId) return false;
  const s = await storage.authSessions.get(auth.sessionId);
  return !!s && s.expiresAt > now;
}

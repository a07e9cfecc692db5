/**
 * Errors that mean "PostgreSQL or Redis cannot be reached right now" (a
 * restart, a network cut): requests that need them answer `unavailable`
 * (HTTP 503, or a wire Error) instead of `internal`, and log a warning, not
 * a stack trace — it is an outage, not a bug.
 */

/** pg SQLSTATE classes and codes of a lost or refused connection; Node's socket errors. */
const CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '53300', // too_many_connections
]);

const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Connection is closed/i, // ioredis
  /Stream isn't writeable/i, // ioredis, offline queue off
  /max retries per request/i, // ioredis
  /cannot reach PostgreSQL/i,
  /Redis (is not reachable|did not answer)/i,
];

export function isUnavailableError(err: unknown): boolean {
  if (err instanceof DependencyDownError) return true;
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && (CODES.has(e.code) || e.code.startsWith('08'))) return true;
    if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e!.message as string))) return true;
  }
  return false;
}

/** Thrown where a request needs Redis and it is down (cluster mode). */
export class DependencyDownError extends Error {
  constructor(what: 'Redis' | 'PostgreSQL') {
    super(`${what} is not reachable right now; try again in a moment`);
    this.name = 'DependencyDownError';
  }
}

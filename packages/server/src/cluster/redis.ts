/**
 * Redis connections of a cluster-mode process. ioredis reconnects by itself
 * (here: every 0.2–2 s, for ever); while it is disconnected a command fails
 * at once instead of waiting in a queue, so that a request answers "not
 * available" now and nothing stale is replayed later.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/** Options every connection shares; `extra` wins (tests). */
export function redisOptions(extra: RedisOptions = {}): RedisOptions {
  return {
    retryStrategy: (attempt) => Math.min(200 * attempt, 2000),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A host that drops packets must not hang a command for minutes.
    connectTimeout: 5000,
    ...extra,
  };
}

/**
 * A command connection named `name` (visible in CLIENT LIST). Errors are
 * logged once per outage, not once per retry: a Redis restart must not flood
 * the log.
 */
export function redisConnection(url: string, name: string, log: Logger, extra: RedisOptions = {}): Redis {
  const conn = new Redis(url, redisOptions({ connectionName: name, ...extra }));
  let down = false;
  conn.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: { message: err.message, code: (err as { code?: string }).code }, conn: name }, 'redis connection lost; reconnecting');
  });
  conn.on('ready', () => {
    if (down) log.info({ conn: name }, 'redis connection back');
    down = false;
  });
  return conn;
}

/** Resolves when the connection is ready (or rejects after `timeoutMs`), so that a wrong REDIS_URL fails at start. */
export function whenReady(conn: Redis, timeoutMs = 10_000): Promise<void> {
  if (conn.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      conn.off('ready', ok);
      reject(new Error(`Redis did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const ok = () => {
      clearTimeout(t);
      resolve();
    };
    conn.once('ready', ok);
  });
}

/** Closes a connection politely, or drops it when Redis is not there. */
export async function closeRedis(conn: Redis): Promise<void> {
  try {
    if (conn.status === 'ready') await conn.quit();
    else conn.disconnect();
  } catch {
    conn.disconnect();
  }
}

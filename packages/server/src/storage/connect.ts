/** Opens a Kysely instance on SQLite (better-sqlite3) or PostgreSQL (pg Pool). */
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import type { Database } from './schema.js';

export type StorageKind = 'sqlite' | 'postgres';

/** postgres:// and postgresql:// select PostgreSQL. */
export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

/** Per SQLite Kysely instance: resolves once its checkpoint worker has exited (Kysely's destroy() cannot wait for it). */
const workerExits = new WeakMap<Kysely<Database>, () => Promise<void>>();

/** Waits until nothing of `db` (an openSqlite instance) still runs; call after `db.destroy()`. */
export function sqliteClosed(db: Kysely<Database>): Promise<void> {
  return workerExits.get(db)?.() ?? Promise.resolve();
}

/** Opens SQLite at `file` (or ':memory:') with WAL (checkpointed by a worker thread), foreign keys and a busy timeout. */
export function openSqlite(file: string, log?: Logger): Kysely<Database> {
  const raw = new BetterSqlite3(file);
  let checkpointer: Checkpointer | undefined;
  if (file !== ':memory:' && file !== '') {
    raw.pragma('journal_mode = WAL');
    // After a checkpoint restarted the WAL, its file is cut back to this size.
    raw.pragma('journal_size_limit = 67108864');
    checkpointer = startCheckpointer(raw, file, (msg) => log?.warn(msg));
  }
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  // Another process (a CLI, a second server during a restart) may hold the write lock briefly.
  raw.pragma('busy_timeout = 5000');
  // SQLite's built-in lower() folds ASCII only; PostgreSQL folds all of Unicode.
  // Overriding it keeps search() the same on both databases ("Müller" finds "MÜLLER").
  raw.function('lower', { deterministic: true }, (s: unknown) => (s === null || s === undefined ? null : String(s).toLowerCase()));
  let exited: Promise<void> = Promise.resolve();
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({
      database: cachingStatements(raw, () => {
        if (checkpointer) exited = checkpointer.stop();
      }),
    }),
  });
  workerExits.set(db, () => exited);
  return db;
}

/** Prepared statements kept per SQL text; beyond this the least recently used is dropped. */
const STATEMENT_CACHE = 500;

/**
 * Kysely's SQLite driver prepares a new statement for every query; with
 * better-sqlite3 that is a full SQLite compile of the SQL text each time (a
 * CPU profile of the chat relay showed `prepare` as large as the query
 * itself). The queries of the hot paths repeat the same SQL with other
 * parameters, so the statements are kept and reused. Safe because the
 * driver runs one query at a time on this connection and only reads
 * `reader`, `all`, `run` and `iterate` (a statement being iterated is
 * never handed out again: the cache gives a fresh one while it is busy).
 */
function cachingStatements(raw: BetterSqlite3.Database, beforeClose: () => void): Pick<BetterSqlite3.Database, 'close' | 'prepare'> {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      beforeClose();
      cache.clear();
      return raw.close();
    },
    prepare: ((sqlText: string) => {
      const hit = cache.get(sqlText);
      if (hit && !hit.busy) {
        // Re-insert: Map order is the recency order for eviction.
        cache.delete(sqlText);
        cache.set(sqlText, hit);
        return hit;
      }
      const stmt = raw.prepare(sqlText);
      if (hit) return stmt; // the cached one is busy (an open iterator): use a one-off
      cache.set(sqlText, stmt);
      if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      return stmt;
    }) as BetterSqlite3.Database['prepare'],
  };
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Opens a pg Pool. With `schema`, every connection uses it as its search_path
 * (set at connection start-up, so no query can run before it) and the schema is created.
 */
export async function openPostgres(url: string, schema: string | undefined, log: Logger, poolSize = 10): Promise<Kysely<Database>> {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(schema)}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // A host that drops packets would otherwise make every query wait forever.
    connectionTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => log.warn({ err }, 'idle PostgreSQL connection failed'));
  // A client that is checked out but between queries (inside a transaction, say) when PostgreSQL goes away
  // emits 'error' on itself, not on the pool: without a listener that crashes the process. Its query (if
  // any) fails on its own, and the pool drops the broken client when it is released.
  pool.on('connect', (client) => client.on('error', (err) => log.warn({ err: { message: err.message } }, 'PostgreSQL connection failed')));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy();
    throw new Error(`cannot reach PostgreSQL at ${redact(url)}: ${(err as Error).message}`, { cause: err });
  }
  if (schema) {
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    } catch (err) {
      // Two processes creating it at once: fine if it exists now.
      const r = await sql<{ n: number }>`select 1 as n from pg_namespace where nspname = ${schema}`.execute(db).catch(() => undefined);
      if (!r?.rows.length) {
        await db.destroy();
        throw err;
      }
    }
  }
  return db;
}

/** The URL without its password, for error messages. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured DATABASE_URL';
  }
}

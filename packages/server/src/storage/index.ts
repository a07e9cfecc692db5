/**
 * openStorage(): one Kysely code path for SQLite and PostgreSQL.
 *
 * Transactions: `storage.transaction(fn)` gives `fn` repos bound to the
 * transaction. Inside `fn`, use only `tx`. SQLite has a single connection that
 * a transaction holds until it ends, so a call on the outer repos from inside
 * `fn` would wait forever; to make that mistake harmless, calls on the outer
 * repos made from within `fn`'s async context are routed to the open
 * transaction (AsyncLocalStorage), on both databases alike. A `transaction`
 * call inside `fn` joins the open one.
 *
 * Isolation: SQLite runs one transaction at a time, so check-then-write code
 * in `fn` (e.g. "not the last admin", "sipId not used by a group") is safe.
 * PostgreSQL gets the same guarantee from SERIALIZABLE transactions; when it
 * reports a serialization failure or deadlock, `fn` is run again (a few
 * times). So `fn` must do nothing but database work: publish, send and log
 * after it returns.
 *
 * One process per SQLite file: better-sqlite3 waits for locks synchronously.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Migrator, sql, type Kysely, type Transaction } from 'kysely';
import pino from 'pino';
import type { Logger } from 'pino';
import { isPostgresUrl, openPostgres, openSqlite, sqliteClosed, type StorageKind } from './connect.js';
import { migrationProvider } from './migrations/index.js';
import { apiTokenRepo, authSessionRepo } from './repos/auth.js';
import { callLogRepo } from './repos/calls.js';
import { chatRepo } from './repos/chats.js';
import { flagRepo } from './repos/flags.js';
import { groupRepo } from './repos/groups.js';
import { phoneSystemRepo } from './repos/phone-system.js';
import { presenceRepo, visitorSessionRepo } from './repos/presence.js';
import { statsRepo } from './repos/stats.js';
import { webhookRepo } from './repos/webhooks.js';
import { auditRepo } from './repos/audit.js';
import { backupRepo } from './repos/backup.js';
import { userRepo } from './repos/users.js';
import { widgetRepo } from './repos/widgets.js';
import { mailRepo, missedRepo, scheduleRepo, transcriptRequestRepo } from './repos/schedules.js';
import type { Database } from './schema.js';
import type { Storage, StorageOptions } from './types.js';
import type { RepoContext } from './util.js';

export * from './types.js';

type Repos = Omit<Storage, 'transaction' | 'close' | 'ping'>;

function makeRepos(kind: StorageKind, ctx: RepoContext): Repos {
  return {
    kind,
    users: userRepo(ctx),
    groups: groupRepo(ctx),
    widgets: widgetRepo(ctx),
    flags: flagRepo(ctx),
    authSessions: authSessionRepo(ctx),
    apiTokens: apiTokenRepo(ctx),
    visitorSessions: visitorSessionRepo(ctx),
    chats: chatRepo(ctx),
    calls: callLogRepo(ctx),
    presence: presenceRepo(ctx),
    phoneSystem: phoneSystemRepo(ctx),
    stats: statsRepo(ctx),
    webhooks: webhookRepo(ctx),
    audit: auditRepo(ctx),
    backup: backupRepo(ctx, kind),
    schedules: scheduleRepo(ctx),
    missed: missedRepo(ctx),
    mail: mailRepo(ctx),
    transcripts: transcriptRequestRepo(ctx),
  };
}

/** Applies all pending migrations; a no-op on an up-to-date database. */
export async function migrateToLatest(db: Kysely<Database>, kind: StorageKind, log: Logger): Promise<void> {
  let migrationTableSchema: string | undefined;
  if (kind === 'postgres') {
    // Kysely looks for its migration table in any schema unless told which one.
    const r = await sql<{ s: string }>`select current_schema() as s`.execute(db);
    migrationTableSchema = r.rows[0]?.s ?? 'public';
  }
  // Migration numbers are handed out per feature and land in any order (003 may arrive after 005 ran): unordered is allowed.
  const migrator = new Migrator({ db, provider: migrationProvider(kind), migrationTableSchema, allowUnorderedMigrations: true });
  // Kysely's introspection reads the tables of every schema in the database: one dropped meanwhile by someone else
  // (another installation's or a test's) fails it with invalid_schema_name (3F000). That is not ours: look again.
  let { error, results } = await migrator.migrateToLatest();
  for (let i = 0; i < 3 && error && (error as { code?: string }).code === '3F000' && !results?.length; i++) ({ error, results } = await migrator.migrateToLatest());
  for (const r of results ?? []) {
    if (r.status === 'Success') log.info({ migration: r.migrationName }, 'migration applied');
    else if (r.status === 'Error') log.error({ migration: r.migrationName }, 'migration failed');
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

const MAX_TX_ATTEMPTS = 8;

/** PostgreSQL's "try again" errors: serialization_failure, deadlock_detected. */
function isRetryable(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === '40001' || code === '40P01';
}

function chooseKind(opts: StorageOptions): StorageKind {
  if (isPostgresUrl(opts.databaseUrl)) return 'postgres';
  if (opts.databaseUrl) {
    throw new Error('DATABASE_URL must start with postgres:// or postgresql:// (leave it unset to use SQLite in DATA_DIR)');
  }
  return 'sqlite';
}

/** Opens the configured storage (PostgreSQL when databaseUrl is postgres://…, else SQLite) and migrates it. */
export async function openStorage(opts: StorageOptions): Promise<Storage> {
  const log = opts.logger ?? pino({ name: 'storage', level: process.env.LOG_LEVEL ?? 'info' });
  const kind = chooseKind(opts);
  const db = kind === 'postgres' ? await openPostgres(opts.databaseUrl!, opts.schema, log, opts.poolSize) : openSqlite(opts.sqlitePath ?? ':memory:', log);
  try {
    if (opts.migrate !== false) await migrateToLatest(db, kind, log);
  } catch (err) {
    await db.destroy();
    throw err;
  }

  const now = opts.now ?? Date.now;
  const open = new AsyncLocalStorage<{ trx: Transaction<Database>; active: boolean }>();
  const current = (): Kysely<Database> => {
    const t = open.getStore();
    return t?.active ? t.trx : db;
  };
  const repos = makeRepos(kind, { db: current, now, ...(kind === 'postgres' ? { pool: db } : {}) });
  let closed = false;

  return {
    ...repos,
    async transaction(fn) {
      const t = open.getStore();
      if (t?.active) return fn(makeRepos(kind, { db: () => t.trx, now }));
      const once = () =>
        db
          .transaction()
          .setIsolationLevel('serializable')
          .execute(async (trx) => {
            const store = { trx, active: true };
            try {
              return await open.run(store, () => fn(makeRepos(kind, { db: () => trx, now })));
            } finally {
              // Work that fn left running after it returned goes to the pool again.
              store.active = false;
            }
          });
      for (let attempt = 1; ; attempt++) {
        try {
          return await once();
        } catch (err) {
          if (kind !== 'postgres' || attempt >= MAX_TX_ATTEMPTS || !isRetryable(err)) throw err;
          log.debug({ attempt, code: (err as { code?: string }).code }, 'transaction conflicted; running it again');
          // A little jitter so that the same two transactions do not collide again.
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
        }
      }
    },
    async ping() {
      await sql`select 1`.execute(current());
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      if (kind === 'sqlite') await sqliteClosed(db);
    },
  };
}

/**
 * Configuration as table rows, for backup and for moving between
 * installations and databases (npm run export / import, GET /api/export,
 * POST /api/import). Works on whole tables with `select *`, so a column a
 * later migration adds travels without a change here; a table that holds
 * configuration is one line of CONFIG_TABLES.
 */
import { sql } from 'kysely';
import type { BackupRepo, ConfigTables } from '../types.js';
import type { RepoContext } from '../util.js';

/**
 * Configuration tables, parents before children (the order rows are
 * inserted in; deletion runs backwards). History (chats, calls, the audit
 * trail), sessions, presence and the webhook queue are not configuration.
 */
export const CONFIG_TABLES = ['users', 'groups', 'group_members', 'schedules', 'widgets', 'flags', 'api_tokens', 'webhooks'] as const;

/** Tables emptied before an import, children first (their rows point at users or webhooks). */
const CLEARED_FIRST = ['webhook_deliveries', 'auth_sessions', 'presence'] as const;

type Row = Record<string, unknown>;

/** Builds the backup repo. */
export function backupRepo(ctx: RepoContext, kind: 'sqlite' | 'postgres'): BackupRepo {
  /** PostgreSQL returns int8 as text: which columns are int8 (so that both databases export numbers). */
  const bigColumns = async (): Promise<Set<string>> => {
    if (kind !== 'postgres') return new Set();
    const r = await sql<{ t: string; c: string }>`select table_name as t, column_name as c from information_schema.columns
      where table_schema = current_schema() and data_type = 'bigint'`.execute(ctx.db());
    return new Set(r.rows.map((x) => `${x.t}.${x.c}`));
  };

  return {
    tables: CONFIG_TABLES,

    async migrations() {
      const r = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(ctx.db());
      return r.rows.map((x) => x.name);
    },

    async dump() {
      const big = await bigColumns();
      const out: ConfigTables = {};
      for (const t of CONFIG_TABLES) {
        const rows = (await sql<Row>`select * from ${sql.table(t)}`.execute(ctx.db())).rows;
        out[t] = rows.map((r) => {
          const o: Row = {};
          for (const k of Object.keys(r).sort()) o[k] = big.has(`${t}.${k}`) && typeof r[k] === 'string' ? Number(r[k]) : r[k];
          return o;
        });
        // A stable order, so that two exports of the same configuration are the same text.
        out[t].sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
      }
      return out;
    },

    async replace(tables) {
      const db = ctx.db();
      for (const t of CLEARED_FIRST) await sql`delete from ${sql.table(t)}`.execute(db);
      for (const t of [...CONFIG_TABLES].reverse()) await sql`delete from ${sql.table(t)}`.execute(db);
      for (const t of CONFIG_TABLES) {
        const rows = tables[t] ?? [];
        // Small batches: SQLite allows 32,766 parameters per statement.
        for (let i = 0; i < rows.length; i += 100) {
          const batch = rows.slice(i, i + 100);
          if (batch.length) await db.insertInto(t as never).values(batch as never).execute();
        }
      }
    },
  };
}

/**
 * Migration 005 (statistics, webhooks, audit):
 * - indexes that let the statistics read 30 days of one widget, agent or
 *   group without scanning the whole history, and the chat's accept time;
 * - webhooks and their durable delivery queue (one row per delivery; `seq`
 *   keeps the order of deliveries of one chat or call);
 * - the audit trail (append-only: the product has no way to change a row).
 */
import { sql, type Kysely, type Migration } from 'kysely';

/** An auto-incrementing primary key, the one dialect difference. */
function seqColumn(kind: 'sqlite' | 'postgres') {
  return [kind === 'postgres' ? 'bigserial' : 'integer', (c: any) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement())] as const;
}

/** Builds migration 005 for one dialect. */
export function stats(kind: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('chats').addColumn('accepted_at', 'bigint').execute();

      // Per widget / per addressed agent or group / per answering agent, each over a time range. The
      // widget indexes also hold every column the statistics read, so SQLite answers from the index alone
      // (and PostgreSQL with index-only scans once vacuumed), without a table lookup per row.
      await db.schema
        .createIndex('call_log_widget_started_idx')
        .on('call_log')
        .columns(['widget_uuid', 'started_at', 'answered_at', 'ended_at', 'video', 'agent_user_id', 'dest'])
        .execute();
      await db.schema.createIndex('call_log_dest_started_idx').on('call_log').columns(['dest', 'started_at']).execute();
      await db.schema.createIndex('call_log_agent_started_idx').on('call_log').columns(['agent_user_id', 'started_at']).execute();
      await db.schema
        .createIndex('chats_widget_created_idx')
        .on('chats')
        .columns(['widget_uuid', 'created_at', 'accepted_at', 'closed_at', 'state', 'agent_user_id', 'dest'])
        .execute();
      await db.schema.createIndex('chats_dest_created_idx').on('chats').columns(['dest', 'created_at']).execute();
      await db.schema.createIndex('chats_agent_created_idx').on('chats').columns(['agent_user_id', 'created_at']).execute();
      await db.schema.createIndex('chats_created_idx').on('chats').column('created_at').execute();

      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        /** needed in clear to sign; shown to the admin once */
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('seq', ...seqColumn(kind))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
        .addColumn('event', 'text', (c) => c.notNull())
        /** deliveries with the same key (one chat, one call) go out one after another, in seq order */
        .addColumn('order_key', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_at', 'bigint', (c) => c.notNull())
        /** a process delivering it holds it until then (several processes share the queue) */
        .addColumn('locked_until', 'bigint')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_attempt_at', 'bigint')
        .addColumn('delivered_at', 'bigint')
        .execute();
      await db.schema.createIndex('webhook_deliveries_id_uq').unique().on('webhook_deliveries').column('id').execute();
      await db.schema
        .createIndex('webhook_deliveries_pending_idx')
        .on('webhook_deliveries')
        .columns(['webhook_id', 'order_key', 'seq'])
        .where(sql<boolean>`state = 'pending'`)
        .execute();
      await db.schema.createIndex('webhook_deliveries_due_idx').on('webhook_deliveries').columns(['state', 'next_at']).execute();
      await db.schema.createIndex('webhook_deliveries_log_idx').on('webhook_deliveries').columns(['webhook_id', 'seq']).execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('seq', ...seqColumn(kind))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('actor_username', 'text', (c) => c.notNull())
        /** "session" or "token" */
        .addColumn('actor_via', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        /** the target's name at the time (a deleted widget's name stays readable) */
        .addColumn('target_name', 'text', (c) => c.notNull())
        .addColumn('diff', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_id_uq').unique().on('audit_log').column('id').execute();
      await db.schema.createIndex('audit_log_ts_idx').on('audit_log').columns(['ts', 'seq']).execute();
      await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor_username', 'ts']).execute();
      await db.schema.createIndex('audit_log_action_idx').on('audit_log').columns(['action', 'ts']).execute();
    },
  };
}

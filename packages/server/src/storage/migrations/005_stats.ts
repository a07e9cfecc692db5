/**
 * Migration 005 (statistics, webhooks, audit): indexes that let the
 * statistics read 30 days of one widget, agent or group without scanning the
 * whole history, and the chat's accept time (time to answer a chat).
 */
import type { Kysely, Migration } from 'kysely';

/** Builds migration 005 (the same on both databases). */
export function stats(): Migration {
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
    },
  };
}

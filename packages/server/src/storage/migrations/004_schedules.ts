/**
 * Migration 004 (schedules, offline contact, missed contacts, mail — spec 11):
 * - `schedules`: the weekly plan, zone and exceptions as one JSON body;
 * - flags follow a schedule (`schedule_id`), and a manual value holds until
 *   `override_until` (the schedule's next change at the time it was set);
 * - `missed`: offline messages, unanswered calls and chat requests, until an agent marks them done;
 *   `ref` (the call or chat id) makes recording a missed call or chat idempotent;
 * - `mail_outbox`: every mail accepted for sending, kept until sent (retried with backoff) or failed;
 * - `transcript_requests`: chats whose visitor (or agent) asked for the transcript by mail.
 */
import { sql, type Kysely, type Migration } from 'kysely';

function seqColumn(kind: 'sqlite' | 'postgres') {
  return [kind === 'postgres' ? 'bigserial' : 'integer', (c: any) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement())] as const;
}

/** Builds migration 004 for one dialect. */
export function schedules(kind: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('schedules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('flags').addColumn('schedule_id', 'text').execute();
      await db.schema.alterTable('flags').addColumn('override_until', 'bigint').execute();

      await db.schema
        .createTable('missed')
        .addColumn('seq', ...seqColumn(kind))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('ref', 'text')
        .addColumn('widget_uuid', 'text', (c) => c.notNull())
        .addColumn('widget_name', 'text', (c) => c.notNull())
        .addColumn('agent', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('consent', 'integer', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('done_at', 'bigint')
        .addColumn('done_by', 'text')
        .execute();
      await db.schema.createIndex('missed_id_uq').unique().on('missed').column('id').execute();
      await db.schema.createIndex('missed_ref_uq').unique().on('missed').column('ref').where(sql<boolean>`ref IS NOT NULL`).execute();
      await db.schema.createIndex('missed_state_idx').on('missed').columns(['state', 'ts']).execute();

      await db.schema
        .createTable('mail_outbox')
        .addColumn('seq', ...seqColumn(kind))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        /** JSON array of addresses */
        .addColumn('recipients', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('text_body', 'text', (c) => c.notNull())
        .addColumn('html_body', 'text', (c) => c.notNull())
        .addColumn('reply_to', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_until', 'bigint')
        .addColumn('last_error', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .execute();
      await db.schema.createIndex('mail_outbox_id_uq').unique().on('mail_outbox').column('id').execute();
      await db.schema.createIndex('mail_outbox_due_idx').on('mail_outbox').columns(['state', 'next_at']).execute();

      await db.schema
        .createTable('transcript_requests')
        .addColumn('chat_id', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('lang', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('queued_at', 'bigint')
        .execute();
      await db.schema.createIndex('transcript_requests_uq').unique().on('transcript_requests').columns(['chat_id', 'email']).execute();
    },
  };
}

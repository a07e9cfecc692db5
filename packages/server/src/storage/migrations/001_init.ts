/**
 * The first schema. Written once with Kysely's schema builder so that SQLite
 * and PostgreSQL get the same tables; the only dialect difference is the
 * auto-incrementing message sequence.
 */
import { sql, type Kysely, type Migration } from 'kysely';

type Kind = 'sqlite' | 'postgres';

/** Builds migration 001 for one dialect. */
export function init(kind: Kind): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('sip_id', 'text')
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      // Named indexes (not inline UNIQUE) so that conflicts map to a field on both databases.
      await db.schema.createIndex('users_username_uq').unique().on('users').column('username').execute();
      // sip_id is NULL when empty; NULLs never clash, on either database.
      await db.schema.createIndex('users_sip_id_uq').unique().on('users').column('sip_id').execute();

      await db.schema
        .createTable('groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('sip_id', 'text')
        .execute();
      await db.schema.createIndex('groups_sip_id_uq').unique().on('groups').column('sip_id').execute();

      await db.schema
        .createTable('group_members')
        .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('pos', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
        .execute();
      await db.schema.createIndex('group_members_user_idx').on('group_members').column('user_id').execute();

      await db.schema
        .createTable('widgets')
        .addColumn('uuid', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('flags')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('auth_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('auth_sessions_user_idx').on('auth_sessions').column('user_id').execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('api_tokens_hash_uq').unique().on('api_tokens').column('token_hash').execute();
      await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').column('user_id').execute();

      // No foreign key to widgets: a session may outlive its widget for a moment (deletion race).
      await db.schema
        .createTable('visitor_sessions')
        .addColumn('token', 'text', (c) => c.primaryKey())
        .addColumn('widget_uuid', 'text', (c) => c.notNull())
        .addColumn('last_active', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('visitor_sessions_active_idx').on('visitor_sessions').column('last_active').execute();

      // Chats and calls are history: no foreign keys, they outlive widgets and users.
      await db.schema
        .createTable('chats')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('widget_uuid', 'text', (c) => c.notNull())
        .addColumn('visitor_session', 'text', (c) => c.notNull())
        .addColumn('visitor_dn', 'text', (c) => c.notNull())
        .addColumn('visitor_email', 'text', (c) => c.notNull())
        .addColumn('dest', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('agent_user_id', 'text')
        .addColumn('agent_dn', 'text')
        .addColumn('closed_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('closed_at', 'bigint')
        .execute();
      await db.schema.createIndex('chats_visitor_idx').on('chats').columns(['visitor_session', 'state']).execute();
      await db.schema.createIndex('chats_agent_idx').on('chats').columns(['agent_user_id', 'state']).execute();
      await db.schema.createIndex('chats_state_idx').on('chats').column('state').execute();

      await db.schema
        .createTable('chat_messages')
        .addColumn('seq', kind === 'postgres' ? 'bigserial' : 'integer', (c) =>
          kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id').onDelete('cascade'))
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('dn', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('cid', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('chat_messages_chat_idx').on('chat_messages').columns(['chat_id', 'ts', 'seq']).execute();
      // A retried client id returns the first record; an empty cid opts out.
      await db.schema
        .createIndex('chat_messages_cid_uq')
        .unique()
        .on('chat_messages')
        .columns(['chat_id', 'sender', 'cid'])
        .where(sql<boolean>`cid <> ''`)
        .execute();

      await db.schema
        .createTable('call_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('widget_uuid', 'text', (c) => c.notNull())
        .addColumn('dest', 'text', (c) => c.notNull())
        .addColumn('visitor_dn', 'text', (c) => c.notNull())
        .addColumn('video', 'integer', (c) => c.notNull())
        .addColumn('agent_user_id', 'text')
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('answered_at', 'bigint')
        .addColumn('ended_at', 'bigint')
        .addColumn('cause', 'text')
        .execute();
      await db.schema.createIndex('call_log_started_idx').on('call_log').column('started_at').execute();

      // Presence rows are removed with their user (users.delete), not by a foreign key,
      // so that a console setting presence during a deletion cannot fail.
      await db.schema
        .createTable('presence')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('presence', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}

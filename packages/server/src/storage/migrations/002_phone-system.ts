/**
 * The phone system (spec 9, issue 9): where users and groups are reached,
 * who answered a call where, and the one row of connector settings. The
 * password column holds ciphertext (phone/secret-box.ts), never plain text.
 */
import type { Kysely, Migration } from 'kysely';

export function phoneSystem(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').addColumn('reach', 'text', (c) => c.notNull().defaultTo('console')).execute();
      await db.schema.alterTable('groups').addColumn('reach', 'text', (c) => c.notNull().defaultTo('console')).execute();
      // 'console' or 'phone' once answered; NULL while nobody did.
      await db.schema.alterTable('call_log').addColumn('answered_via', 'text').execute();
      await db.schema
        .createTable('phone_system')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('registrar', 'text', (c) => c.notNull())
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('auth_user', 'text', (c) => c.notNull())
        .addColumn('password_enc', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('outbound_proxy', 'text', (c) => c.notNull())
        .addColumn('register_interval_s', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}

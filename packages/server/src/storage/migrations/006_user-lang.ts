/**
 * The user's language for the admin app and the agent console (spec 13,
 * issue 16): '' until the user picks one (then the browser's language applies).
 */
import type { Kysely, Migration } from 'kysely';

export function userLang(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').addColumn('lang', 'text', (c) => c.notNull().defaultTo('')).execute();
    },
  };
}

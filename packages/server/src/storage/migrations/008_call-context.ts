/**
 * Issue 15 (console History shows calls): a call remembers the visitor's
 * context (page, language, browser — as chats do since 007) and the visitor
 * session it came from, so an agent's History can show the page and an
 * e-mail address the visitor gave in a chat of the same visit.
 */
import type { Kysely, Migration } from 'kysely';

export function callContext(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('call_log').addColumn('visitor_context', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('call_log').addColumn('visitor_session', 'text', (c) => c.notNull().defaultTo('')).execute();
    },
  };
}

/**
 * One open chat per visitor session and destination (issue 11.5): a unique
 * index over the open rows, so that the rule holds whichever process (or
 * concurrent socket of one session) asks — storage answers, nobody guesses.
 * Open duplicates left by an earlier flood are closed by `system` first
 * (the newest of each pair stays), or the index could not be built.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function oneOpenChat(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await sql`
        UPDATE chats SET state = 'closed', closed_by = 'system', closed_at = created_at
        WHERE state IN ('waiting', 'accepted') AND EXISTS (
          SELECT 1 FROM chats newer
          WHERE newer.visitor_session = chats.visitor_session AND newer.dest = chats.dest
            AND newer.state IN ('waiting', 'accepted')
            AND (newer.created_at > chats.created_at OR (newer.created_at = chats.created_at AND newer.id > chats.id))
        )`.execute(db);
      await db.schema
        .createIndex('chats_one_open_uq')
        .unique()
        .on('chats')
        .columns(['visitor_session', 'dest'])
        .where(sql<boolean>`state IN ('waiting', 'accepted')`)
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('chats_one_open_uq').execute();
    },
  };
}

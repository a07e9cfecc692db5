/** Runs several statements all-or-nothing, joining a transaction that is already open. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** `fn` gets the connection to use; inside storage.transaction it is that transaction. */
export async function atomic<T>(db: Kysely<Database>, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}

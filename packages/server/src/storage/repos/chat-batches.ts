/**
 * The two queries of every chat message, batched on PostgreSQL (see
 * ../batcher.ts and docs/adr/0004-chat-writes-on-postgresql.md): reads of
 * chats by id as one `= any($1)` select, message inserts as one
 * `insert … select from unnest(…)` — a fixed SQL text whatever the batch
 * size, one statement and one commit per batch. A message is acked only
 * after its batch has committed, so durability is that of a single insert.
 *
 * SQLite runs in-process and commits in microseconds: it keeps the
 * one-statement path. Inside a transaction the repo also bypasses these
 * (the transaction's connection is not the pool's).
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ChatMessagesTable, ChatsTable, Database } from '../schema.js';
import type { ChatMessageRecord } from '../types.js';
import { Batcher, ItemFailed } from '../batcher.js';

export type NewMessage = Omit<ChatMessageRecord, 'id'>;

/** A stored row and whether this call inserted it (false: the cid was stored before). */
export interface Appended {
  row: Selectable<ChatMessagesTable>;
  inserted: boolean;
}

export interface ChatBatches {
  get(id: string): Promise<Selectable<ChatsTable> | undefined>;
  /** Inserts; a conflicting (chat, sender, cid) yields undefined (the caller looks up the first record). */
  insert(m: NewMessage): Promise<Selectable<ChatMessagesTable> | undefined>;
}

/**
 * Batches running at once per kind of query. The pool has 10 connections;
 * 3 + 3 leaves 4 for everything else (HTTP, presence, calls). Fewer running
 * batches make each larger: on a loaded machine that is what helps.
 */
const CONCURRENCY = 3;
const MAX_BATCH = 500;

/** pg error codes that concern one row of a batch, not the batch: foreign key and check violations, bad values. */
function rowError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? '';
  return code === '23503' || code === '23514' || code === '23502' || code.startsWith('22');
}

/** Builds the batched reads and inserts over `db` (the pool, never a transaction). */
export function chatBatches(db: () => Kysely<Database>, single: (m: NewMessage) => Promise<Selectable<ChatMessagesTable> | undefined>): ChatBatches {
  const reads = new Batcher<string, Selectable<ChatsTable> | undefined>(
    async (ids) => {
      const unique = [...new Set(ids)];
      const r = await sql<Selectable<ChatsTable>>`select * from chats where id = any(${unique}::text[])`.execute(db());
      const byId = new Map(r.rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id));
    },
    { concurrency: CONCURRENCY, max: MAX_BATCH },
  );

  const writes = new Batcher<NewMessage, Selectable<ChatMessagesTable> | undefined>(
    async (ms) => {
      if (ms.length === 1) return [await single(ms[0]!)];
      let rows: Selectable<ChatMessagesTable>[];
      try {
        const r = await sql<Selectable<ChatMessagesTable>>`
          insert into chat_messages (chat_id, sender, dn, text, ts, cid)
          select * from unnest(${ms.map((m) => m.chatId)}::text[], ${ms.map((m) => m.from)}::text[], ${ms.map((m) => m.dn)}::text[],
                               ${ms.map((m) => m.text)}::text[], ${ms.map((m) => m.ts)}::int8[], ${ms.map((m) => m.cid)}::text[])
          on conflict (chat_id, sender, cid) where cid <> '' do nothing
          returning *`.execute(db());
        rows = r.rows;
      } catch (err) {
        // One bad row (a chat deleted meanwhile) fails the statement: each message then goes alone and gets its own answer.
        if (!rowError(err)) throw err;
        return Promise.all(ms.map((m) => single(m).catch((e: unknown) => new ItemFailed(e))));
      }
      return match(ms, rows);
    },
    { concurrency: CONCURRENCY, max: MAX_BATCH },
  );

  return { get: (id) => reads.add(id), insert: (m) => writes.add(m) };
}

/**
 * Pairs inserted rows with the messages of the batch: by (chat, sender, cid);
 * rows without a cid (which may repeat) in insertion order (seq). A message
 * whose row is missing was a retry of an earlier cid (or a repeat within the
 * batch), so it gets undefined, as the single insert gives.
 */
function match(ms: NewMessage[], rows: Selectable<ChatMessagesTable>[]): (Selectable<ChatMessagesTable> | undefined)[] {
  const key = (chat: string, sender: string, cid: string) => `${chat}\u0000${sender}\u0000${cid}`;
  const byKey = new Map<string, Selectable<ChatMessagesTable>[]>();
  for (const row of [...rows].sort((a, b) => Number(a.seq) - Number(b.seq))) {
    const k = key(row.chat_id, row.sender, row.cid);
    const list = byKey.get(k);
    if (list) list.push(row);
    else byKey.set(k, [row]);
  }
  return ms.map((m) => byKey.get(key(m.chatId, m.from, m.cid))?.shift());
}

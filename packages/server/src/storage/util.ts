/** Small helpers shared by the repos: ids, number conversion, LIKE patterns, error mapping. */
import crypto from 'node:crypto';
import { sql, type CompiledQuery, type Expression, type Kysely, type QueryResult, type RawBuilder, type SqlBool } from 'kysely';
import type { VisitorContext } from '@cw/protocol';
import type { Database } from './schema.js';
import { StorageConflictError, StorageReferenceError } from './types.js';

/** What every repo is built from. `db()` is resolved per call (see transaction routing in index.ts). */
export interface RepoContext {
  db(): Kysely<Database>;
  now(): number;
  /** PostgreSQL only: the pool itself (never a transaction), for the batched chat queries (repos/chat-batches.ts) */
  pool?: Kysely<Database>;
}

/** A widget uuid: 32 lowercase hex digits, like "fadc5da4cae94bfc9434d9957ea08ccb". */
export function newWidgetUuid(): string {
  return crypto.randomUUID().replace(/-/g, '');
}

/** A short random id (12 url-safe characters, 72 bits). */
export function newId(): string {
  return crypto.randomBytes(9).toString('base64url');
}

/** int8 comes back from pg as a string; SQLite gives a number. */
export function num(v: number | string | bigint): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Like `num`, keeping null. */
export function numOrNull(v: number | string | bigint | null): number | null {
  return v === null ? null : num(v);
}

/** `%q%` with LIKE wildcards escaped by backslash; lower-cased (the column side is lower()-ed too). */
export function containsPattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `lower(col) LIKE pattern ESCAPE '\'` — the same text on SQLite and PostgreSQL. */
export function ilike(col: Expression<unknown> | string, pattern: string): RawBuilder<SqlBool> {
  const ref = typeof col === 'string' ? sql.ref(col) : col;
  return sql<SqlBool>`lower(${ref}) like ${pattern} escape '\\'`;
}

/** Database column → record field, for conflict messages. */
const FIELD: Record<string, string> = {
  sip_id: 'sipId',
  username: 'username',
  token_hash: 'tokenHash',
  id: 'id',
  uuid: 'uuid',
  token: 'token',
  user_id: 'userId',
};

function fieldOf(column: string): string {
  const c = column.trim().replace(/^.*\./, '').replace(/"/g, '');
  return FIELD[c] ?? c.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

/** The field a unique violation is about, or undefined if `err` is not one. */
export function uniqueViolationField(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string; detail?: string };
  if (!e || typeof e !== 'object') return undefined;
  // better-sqlite3: "UNIQUE constraint failed: users.username" (several columns: comma separated)
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const m = /constraint failed: ([^,]+)/.exec(e.message ?? '');
    return m ? fieldOf(m[1]) : 'id';
  }
  // pg: code 23505, detail "Key (username)=(x) already exists."
  if (e.code === '23505') {
    const m = /Key \(([^,)]+)/.exec(e.detail ?? '');
    return m ? fieldOf(m[1]) : 'id';
  }
  return undefined;
}

function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/**
 * Runs a write and turns constraint violations into the storage errors of
 * types.ts. `refField` names the field a foreign-key violation is about.
 */
export async function guard<T>(fn: () => Promise<T>, refField = 'id'): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const field = uniqueViolationField(err);
    if (field) throw new StorageConflictError(field);
    if (isForeignKeyViolation(err)) throw new StorageReferenceError(refField);
    throw err;
  }
}

/** Empty string ↔ NULL, for columns that are unique only when set. */
export function nullIfEmpty(s: string | undefined): string | null {
  return s ? s : null;
}

/** Stands for parameter `i` of a precompiled query while it is compiled; never sent to a database. */
const slot = (i: number): string => `\u0000cw-slot-${i}\u0000`;

/**
 * A query of fixed shape, built and compiled by Kysely once and then run
 * with new values. Kysely builds an operation tree, freezes it and compiles
 * it to SQL on every call; on the hot paths (every chat message, every
 * presence change) that cost more than the query itself. `build` gets
 * `p(i)` for the i-th value; the compiled parameters are matched back to
 * those slots, so the order Kysely emits them in does not matter, and
 * constants in `build` stay as they were. Runs on `ctx.db()`, so it joins an
 * open transaction like any other repo call.
 */
export function precompiled<R>(
  ctx: RepoContext,
  build: (db: Kysely<Database>, p: (i: number) => never) => { compile(): CompiledQuery<R> },
): (...values: unknown[]) => Promise<QueryResult<R>> {
  let compiled: { q: CompiledQuery<R>; from: (number | { value: unknown })[] } | undefined;
  return (...values) => {
    const db = ctx.db();
    if (!compiled) {
      const q = build(db, (i) => slot(i) as never).compile();
      const from = q.parameters.map((v) => {
        const i = typeof v === 'string' && v.startsWith('\u0000cw-slot-') ? Number(v.slice(9, -1)) : -1;
        return i >= 0 ? i : { value: v };
      });
      compiled = { q, from };
    }
    const { q, from } = compiled;
    return db.executeQuery({ ...q, parameters: from.map((f) => (typeof f === 'number' ? values[f] : f.value)) });
  };
}

/** The stored visitor context (spec 14) of a chat or call row, when there is one (a damaged value reads as none). */
export function visitorOf(json: string | undefined | null): { visitor?: VisitorContext } {
  if (!json) return {};
  try {
    return { visitor: JSON.parse(json) as VisitorContext };
  } catch {
    return {};
  }
}

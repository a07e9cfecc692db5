/** precompiled(): a query compiled once runs with new values, whatever order Kysely emits its parameters in. */
import { afterAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { openSqlite } from '../src/storage/connect.js';
import type { Database } from '../src/storage/schema.js';
import { precompiled } from '../src/storage/util.js';

const db = openSqlite(':memory:') as unknown as Kysely<any>;
afterAll(() => db.destroy());

describe('precompiled', () => {
  it('maps values to their slots, repeats a slot, keeps constants, and compiles once', async () => {
    await sql`create table t (k text primary key, a text, b integer, c text)`.execute(db);
    let builds = 0;
    const ctx = { db: () => db as unknown as Kysely<Database>, now: () => 0 };
    const upsert = precompiled(ctx, (d, p) => {
      builds++;
      const q = d as unknown as Kysely<any>;
      return q
        .insertInto('t')
        .values({ k: p(1), a: p(0), b: p(2), c: 'fixed' })
        .onConflict((oc) => oc.column('k').doUpdateSet({ a: p(0), b: p(2) }));
    });
    const byB = precompiled(ctx, (d, p) => (d as unknown as Kysely<any>).selectFrom('t').selectAll().where('b', '>', p(0)).orderBy('k'));
    await upsert('x', 'k1', 1);
    await upsert('y', 'k2', 2);
    await upsert('z', 'k1', 3);
    expect((await byB(0)).rows).toEqual([
      { k: 'k1', a: 'z', b: 3, c: 'fixed' },
      { k: 'k2', a: 'y', b: 2, c: 'fixed' },
    ]);
    expect((await byB(2)).rows).toEqual([{ k: 'k1', a: 'z', b: 3, c: 'fixed' }]);
    expect(builds).toBe(1);
  });
});

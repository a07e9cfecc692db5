// Scratch (perf engineer): commit times through openSqlite (worker checkpoints), WAL size afterwards.
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import { sql } from 'kysely';
import { openSqlite } from '../../packages/server/src/storage/connect.ts';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wal-'));
const f = path.join(dir, 'x.sqlite');
const db = openSqlite(f, { warn: (m: string) => console.log('WARN', m) } as any);
await sql`create table m (seq integer primary key, chat text, sender text, cid text, text text, ts integer)`.execute(db);
await sql`create unique index u on m(chat, sender, cid)`.execute(db);
const t: number[] = [];
for (let i = 0; i < 3000; i++) {
  const a = performance.now();
  await sql`insert into m (chat, sender, cid, text, ts) values (${'c' + (i % 9)}, 'visitor', ${'k' + i}, ${'bench ' + i}, ${Date.now()}) returning *`.execute(db);
  t.push(performance.now() - a);
  if (i % 100 === 0) await new Promise((r) => setTimeout(r, 20));
}
t.sort((a, b) => a - b);
console.log('p50', t[1500].toFixed(3), 'p99', t[2970].toFixed(3), 'top', t.slice(-8).map((v) => v.toFixed(1)).join(' '));
console.log('wal bytes before close', fs.statSync(f + '-wal').size);
await db.destroy();
await new Promise((r) => setTimeout(r, 300));
console.log('files after close', fs.readdirSync(dir));
const db2 = openSqlite(f);
console.log('rows', (await sql<{ n: number }>`select count(*) as n from m`.execute(db2)).rows[0]);
await db2.destroy();
fs.rmSync(dir, { recursive: true });

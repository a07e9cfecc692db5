// Scratch (perf engineer): time single-row commits in WAL mode, synchronous=NORMAL, to see checkpoint stalls.
import Database from 'better-sqlite3';
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wal-'));
const db = new Database(path.join(dir, 'x.sqlite'));
db.pragma('journal_mode = WAL'); db.pragma('synchronous = ' + (process.argv[2] ?? 'NORMAL'));
db.exec('create table m (seq integer primary key, chat text, sender text, cid text, text text, ts integer); create unique index u on m(chat, sender, cid)');
const st = db.prepare('insert into m (chat, sender, cid, text, ts) values (?,?,?,?,?) returning *');
const t: number[] = [];
for (let i = 0; i < 3000; i++) { const a = performance.now(); st.all(['c' + (i % 9), 'visitor', 'k' + i, 'bench ' + i, Date.now()]); t.push(performance.now() - a); }
t.sort((a, b) => a - b);
console.log('p50', t[1500].toFixed(3), 'p99', t[2970].toFixed(3), 'top', t.slice(-8).map((v) => v.toFixed(1)).join(' '));
fs.rmSync(dir, { recursive: true });

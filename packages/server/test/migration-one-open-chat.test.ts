/**
 * Migration 003 on a database that a chat flood already filled (issue 11.5):
 * open duplicates per visitor session and destination are closed by `system`
 * (the newest stays), then the unique index is built and holds. The database
 * here has 005 applied but not 003, as one migrated by a build that had
 * statistics before this migration landed: migrations run unordered.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { expect, it } from 'vitest';
import { openStorage } from '../src/storage/index.js';
import { StorageConflictError } from '../src/storage/types.js';

it('closes the older open duplicates left by a flood, then enforces one open chat', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cw-mig3-')), 'db.sqlite');
  const logger = pino({ level: 'silent' });
  (await openStorage({ sqlitePath: file, logger })).close();
  // Back to the schema before 003, with what a flood left behind.
  const raw = new Database(file);
  raw.exec(`DROP INDEX chats_one_open_uq; DELETE FROM kysely_migration WHERE name = '003_one-open-chat'`);
  const ins = raw.prepare(`INSERT INTO chats (id, widget_uuid, visitor_session, visitor_dn, visitor_email, dest, state, created_at) VALUES (?, 'w', ?, 'V', '', ?, ?, ?)`);
  ins.run('a1', 's1', 'ann', 'waiting', 1);
  ins.run('a2', 's1', 'ann', 'waiting', 2);
  ins.run('a3', 's1', 'ann', 'accepted', 3);
  ins.run('b1', 's1', 'bob', 'waiting', 1);
  ins.run('c1', 's2', 'ann', 'closed', 1);
  ins.run('c2', 's2', 'ann', 'waiting', 2);
  raw.close();

  const s = await openStorage({ sqlitePath: file, logger });
  try {
    const state = async (id: string) => (await s.chats.get(id))!.state;
    expect([await state('a1'), await state('a2'), await state('a3'), await state('b1'), await state('c1'), await state('c2')]).toEqual(['closed', 'closed', 'accepted', 'waiting', 'closed', 'waiting']);
    expect((await s.chats.get('a1'))!.closedBy).toBe('system');
    await expect(s.chats.create({ widgetUuid: 'w', visitorSession: 's1', visitorDn: 'V', visitorEmail: '', dest: 'ann' })).rejects.toBeInstanceOf(StorageConflictError);
  } finally {
    await s.close();
  }
});

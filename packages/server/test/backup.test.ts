/**
 * Backup: the configuration exported from SQLite imports into an empty
 * PostgreSQL (and back) with the same records; refusals change nothing; the
 * npm run export / import commands do the same from the command line.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { need, PG_URL } from '@cw/testkit';
import { openStorage } from '../src/storage/index.js';
import type { Storage } from '../src/storage/types.js';
import { exportConfig, importConfig, ImportRefused, type ConfigDocument } from '../src/backup/backup.js';
import { postgresBackend, sqliteBackend } from './storage.backends.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const PICTURE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const hasPg = await need('postgres', 'backup round trip into PostgreSQL');
const sqlite = sqliteBackend();
const postgres = postgresBackend();

/** Everything the API shows of the configuration, read through the repos. */
async function snapshot(s: Storage) {
  return {
    users: await s.users.list(),
    groups: await s.groups.list(),
    widgets: await s.widgets.list(),
    flags: await s.flags.list(),
    webhooks: await s.webhooks.list(),
    tokens: await Promise.all((await s.users.list()).map((u) => s.apiTokens.listForUser(u.id))),
  };
}

async function seed(s: Storage): Promise<void> {
  const admin = await s.users.create({ username: 'boss', displayName: 'The Boss', sipId: 'boss', email: 'boss@example.com', phone: '', department: 'Mgmt', roles: ['admin', 'agent'], passwordHash: 'scrypt$x' });
  const agent = await s.users.create({ username: 'ann', displayName: 'Ann Agent', sipId: '100', email: '', phone: '+1 555', department: '', roles: ['agent'], passwordHash: 'scrypt$y' });
  await s.groups.create({ name: 'Sales', sipId: 'sales', members: [agent.id, admin.id] });
  const flag = await s.flags.create({ name: 'Night service', value: true });
  await s.widgets.create({
    type: 'cards',
    name: 'Shop',
    notes: 'ünïcödé ✓',
    lang: 'de',
    contact: { company: 'Example', email: 'shop@example.com' },
    appearance: { position: 'left', colors: { primary: '#0a7d5c' } },
    allowedOrigins: ['https://*.example.com'],
    agents: [
      { sipId: '100', displayName: 'Ann', picture: PICTURE, media: ['chat', 'voice'], availability: 'boolean', flag: flag.id },
      { sipId: 'sales', media: ['chat'], availability: 'always', flag: null },
    ],
  });
  await s.apiTokens.create({ userId: admin.id, name: 'crm', tokenHash: 'a'.repeat(64) });
  await s.webhooks.create({ url: 'https://crm.example.com/hook', secret: 'whsec_abc', events: ['call.ended'], active: true, description: 'CRM' });
}

let source: Storage;
let doc: ConfigDocument;

beforeAll(async () => {
  source = await openStorage(await sqlite.fresh());
  await seed(source);
  doc = JSON.parse(JSON.stringify(await exportConfig(source)));
});

afterAll(async () => {
  await source?.close();
  await sqlite.cleanup();
  await postgres.cleanup();
});

describe('configuration export', () => {
  it('is one document with every configuration table', () => {
    expect(doc).toMatchObject({ format: 'contact-widgets-config', version: 1 });
    expect(doc.migrations).toContain('001_init');
    expect(Object.keys(doc.tables)).toEqual(['users', 'groups', 'group_members', 'schedules', 'widgets', 'flags', 'api_tokens', 'webhooks']);
    expect(doc.tables.users).toHaveLength(2);
    expect(doc.tables.widgets![0]!.body).toContain(PICTURE);
    expect(typeof doc.tables.users![0]!.created_at).toBe('number');
  });
});

describe.skipIf(!hasPg)('SQLite → PostgreSQL → SQLite', () => {
  it('imports into an empty PostgreSQL with the same records, and exports the same document', async () => {
    const target = await openStorage(await postgres.fresh());
    try {
      // A new installation has its first admin; the import replaces it.
      await target.users.create({ username: 'admin', displayName: 'Administrator', sipId: 'admin', email: '', phone: '', department: '', roles: ['admin'], passwordHash: 'h' });
      expect(await importConfig(target, doc)).toEqual({ users: 2, groups: 1, group_members: 2, schedules: 0, widgets: 1, flags: 1, api_tokens: 1, webhooks: 1 });
      expect(await snapshot(target)).toEqual(await snapshot(source));
      const again = await exportConfig(target);
      expect(again.tables).toEqual(doc.tables);

      // And back into a fresh SQLite.
      const back = await openStorage(await sqlite.fresh());
      try {
        await importConfig(back, JSON.parse(JSON.stringify(again)));
        expect(await snapshot(back)).toEqual(await snapshot(source));
      } finally {
        await back.close();
      }
    } finally {
      await target.close();
    }
  });
});

describe('import refusals change nothing', () => {
  it('refuses an installation with widgets, foreign documents, documents without admins and bad rows', async () => {
    const target = await openStorage(await sqlite.fresh());
    try {
      const admin = await target.users.create({ username: 'admin', displayName: 'A', sipId: 'admin', email: '', phone: '', department: '', roles: ['admin'], passwordHash: 'h' });
      const before = await snapshot(target);
      const refused = async (d: unknown, reason: 'conflict' | 'invalid', field?: string) => {
        const err = await importConfig(target, d).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ImportRefused);
        expect(err).toMatchObject({ reason, ...(field !== undefined ? { field } : {}) });
        expect(await snapshot(target)).toEqual(before);
      };
      await refused({ format: 'other' }, 'invalid', 'format');
      await refused({ ...doc, version: 2 }, 'invalid', 'version');
      await refused({ ...doc, migrations: [...doc.migrations, '999_future'] }, 'invalid', 'migrations');
      await refused({ ...doc, tables: { ...doc.tables, chats: [] } }, 'invalid', 'tables.chats');
      await refused({ ...doc, tables: { ...doc.tables, users: doc.tables.users!.filter((u) => !String(u.roles).includes('admin')) } }, 'invalid', 'tables.users');
      await refused({ ...doc, tables: { ...doc.tables, flags: [{ id: 'f', name: { x: 1 }, value: 1 }] } }, 'invalid', 'tables.flags[0].name');
      // Rows that do not fit (a column this database does not have): nothing half-written.
      await refused({ ...doc, tables: { ...doc.tables, flags: [{ id: 'f', name: 'F', value: 1, color: 'red' }] } }, 'invalid', 'tables');
      await target.widgets.create({ type: 'sidebar', name: 'W', notes: '', lang: 'en', contact: {}, appearance: {}, allowedOrigins: [], agents: [] });
      const withWidget = await snapshot(target);
      await importConfig(target, doc).catch((e: ImportRefused) => expect(e.reason).toBe('conflict'));
      expect(await snapshot(target)).toEqual(withWidget);
      expect(withWidget.users.map((u) => u.id)).toEqual([admin.id]);
    } finally {
      await target.close();
    }
  });
});

describe('npm run export / import', () => {
  it('writes the document to a file and reads it into another installation', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-backup-cli-'));
    try {
      const from = path.join(dir, 'from');
      const to = path.join(dir, 'to');
      fs.mkdirSync(from);
      fs.mkdirSync(to);
      const seeded = await openStorage({ sqlitePath: path.join(from, 'contact-widgets.sqlite') });
      await seed(seeded);
      const expected = await snapshot(seeded);
      await seeded.close();

      const file = path.join(dir, 'config.json');
      const env = { ...process.env, DATA_DIR: from, DATABASE_URL: '', LOG_LEVEL: 'silent' };
      await run('npm', ['run', '--silent', 'export', '--', file], { cwd: ROOT, env });
      expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ format: 'contact-widgets-config' });

      const r = await run('npm', ['run', '--silent', 'import', '--', file], { cwd: ROOT, env: { ...env, DATA_DIR: to } });
      expect(r.stderr).toMatch(/imported 2 users, 1 groups/);
      const imported = await openStorage({ sqlitePath: path.join(to, 'contact-widgets.sqlite') });
      try {
        expect(await snapshot(imported)).toEqual(expected);
        const audit = await imported.audit.list({ limit: 10 });
        expect(audit).toHaveLength(1);
        expect(audit[0]).toMatchObject({ action: 'config.import', actor: { via: 'cli' }, targetName: 'config.json' });
      } finally {
        await imported.close();
      }
      // A second import is refused: the installation has widgets now.
      const second = await run(process.execPath, ['--import', 'tsx', 'packages/server/src/cli/backup.ts', 'import', file], { cwd: ROOT, env: { ...env, DATA_DIR: to } }).catch((e: { code: number; stderr: string }) => e);
      expect(second).toMatchObject({ code: 1 });
      expect((second as { stderr: string }).stderr).toMatch(/import refused: .*without widgets/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  }, 60_000);
});

/**
 * One storage contract, run against SQLite and PostgreSQL. Every repo method,
 * conflicts, transactions, the accept race, idempotent messages, ordering,
 * migrations and restarts. PostgreSQL tests need `need('postgres')` (CI has it).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { need } from '@cw/testkit';
import { openStorage } from '../src/storage/index.js';
import {
  StorageConflictError,
  StorageReferenceError,
  type ChatMessageRecord,
  type Storage,
  type StorageOptions,
  type UserRecord,
  type WidgetRecord,
} from '../src/storage/types.js';
import { postgresBackend, sqliteBackend, type Backend } from './storage.backends.js';

const hasPg = await need('postgres', 'storage conformance on PostgreSQL');
const backends: Array<[Backend, boolean]> = [
  [sqliteBackend(), true],
  [postgresBackend(), hasPg],
];

type NewUser = Parameters<Storage['users']['create']>[0];
type NewWidget = Omit<WidgetRecord, 'uuid' | 'createdAt' | 'updatedAt'>;

function user(username: string, extra: Partial<NewUser> = {}): NewUser {
  return { username, displayName: username.toUpperCase(), sipId: '', email: '', phone: '', department: '', roles: ['agent'], passwordHash: 'h', ...extra };
}

function widget(name: string): NewWidget {
  return {
    type: 'sidebar',
    name,
    notes: 'n',
    lang: 'en',
    contact: { company: 'Acme', email: 'info@acme.test' },
    appearance: { position: 'right', colors: { primary: '#123456' } },
    allowedOrigins: ['https://shop.example.com'],
    texts: { title: 'Talk to us', greeting: '' },
    agents: [{ sipId: 'atlantis', media: ['chat', 'voice'], availability: 'presence', flag: null }],
    scheduleId: null,
    offline: { enabled: true, consentText: '', notify: [] },
  };
}

const chatInput = (visitorSession = 'vs1') => ({ widgetUuid: 'w1', visitorSession, visitorDn: 'Vera Visitor', visitorEmail: 'vera@example.com', dest: 'atlantis' });

for (const [backend, available] of backends) {
  describe.skipIf(!available)(`storage on ${backend.name}`, () => {
    let clock = 1_000_000;
    let opts: StorageOptions;
    let s: Storage;
    const extra: Storage[] = [];
    /** another open Storage on the same database (a second process, or a restart) */
    const reopen = async (o: Partial<StorageOptions> = {}) => {
      const x = await openStorage({ ...opts, ...o, now: () => clock });
      extra.push(x);
      return x;
    };

    beforeEach(async () => {
      clock = 1_000_000;
      opts = await backend.fresh();
      s = await openStorage({ ...opts, now: () => clock });
    });
    afterEach(async () => {
      await s.close();
      for (const x of extra.splice(0)) await x.close();
    });
    afterAll(() => backend.cleanup());

    it('reports its kind and answers ping', async () => {
      expect(s.kind).toBe(backend.name);
      await expect(s.ping()).resolves.toBeUndefined();
    });

    describe('users', () => {
      it('creates, reads, lists, updates and deletes', async () => {
        const a = await s.users.create(user('alice', { sipId: 'alice', email: 'a@x.test', phone: '+1', department: 'Sales', roles: ['admin', 'agent'] }));
        expect(a.id).toMatch(/^[A-Za-z0-9_-]{8,}$/);
        expect(a).toMatchObject({ username: 'alice', displayName: 'ALICE', sipId: 'alice', roles: ['admin', 'agent'], createdAt: clock });
        expect(await s.users.get(a.id)).toEqual(a);
        expect(await s.users.getByUsername('alice')).toEqual(a);
        expect(await s.users.getBySipId('alice')).toEqual(a);
        expect(await s.users.getBySipId('')).toBeUndefined();
        expect(await s.users.get('nope')).toBeUndefined();
        const b = await s.users.create(user('bob', { id: 'fixed-id' }));
        expect(b.id).toBe('fixed-id');
        expect((await s.users.list()).map((u) => u.username)).toEqual(['alice', 'bob']);

        const upd = await s.users.update(a.id, { displayName: 'Alice A.', roles: ['agent'], sipId: '' });
        expect(upd).toMatchObject({ id: a.id, displayName: 'Alice A.', roles: ['agent'], sipId: '', createdAt: a.createdAt });
        expect(await s.users.update(a.id, {})).toEqual(upd);
        expect(await s.users.update('nope', { displayName: 'x' })).toBeUndefined();

        expect(await s.users.delete(a.id)).toBe(true);
        expect(await s.users.delete(a.id)).toBe(false);
        expect(await s.users.get(a.id)).toBeUndefined();
      });

      it('keeps username and a non-empty sipId unique; empty sipIds never clash', async () => {
        const a = await s.users.create(user('alice', { sipId: 'alice' }));
        await s.users.create(user('bob'));
        await s.users.create(user('carol'));
        await expect(s.users.create(user('alice'))).rejects.toMatchObject({ name: 'StorageConflictError', field: 'username' });
        const err = await s.users.create(user('dave', { sipId: 'alice' })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StorageConflictError);
        expect((err as StorageConflictError).field).toBe('sipId');
        await expect(s.users.create(user('erin', { id: a.id }))).rejects.toMatchObject({ field: 'id' });
        const bob = (await s.users.getByUsername('bob'))!;
        await expect(s.users.update(bob.id, { username: 'alice' })).rejects.toMatchObject({ field: 'username' });
        await expect(s.users.update(bob.id, { sipId: 'alice' })).rejects.toMatchObject({ field: 'sipId' });
        expect(await s.users.getByUsername('bob')).toEqual(bob);
      });

      it('counts admins', async () => {
        expect(await s.users.countAdmins()).toBe(0);
        const a = await s.users.create(user('a', { roles: ['admin'] }));
        await s.users.create(user('b', { roles: ['agent', 'admin'] }));
        await s.users.create(user('c', { roles: ['agent'] }));
        expect(await s.users.countAdmins()).toBe(2);
        await s.users.update(a.id, { roles: [] });
        expect(await s.users.countAdmins()).toBe(1);
      });

      it('searches case-insensitively by substring, with LIKE wildcards taken literally', async () => {
        await s.users.create(user('jmueller', { displayName: 'Jörg MÜLLER', sipId: 'joerg' }));
        await s.users.create(user('anna', { displayName: 'Anna 100%_sure', sipId: 'anna.s' }));
        await s.users.create(user('bert', { displayName: 'Bert', sipId: 'b100x' }));
        const names = async (q: string, limit = 10) => (await s.users.search(q, limit)).map((u) => u.username);
        expect(await names('müller')).toEqual(['jmueller']);
        expect(await names('JOERG')).toEqual(['jmueller']);
        expect(await names('ANN')).toEqual(['anna']);
        expect(await names('100%')).toEqual(['anna']);
        expect(await names('%')).toEqual(['anna']);
        expect(await names('_')).toEqual(['anna']);
        expect(await names('%_s')).toEqual(['anna']);
        // as LIKE wildcards these would match b100x
        expect(await names('b1_0')).toEqual([]);
        expect(await names('b%x')).toEqual([]);
        expect(await names('\\')).toEqual([]);
        expect(await names('100')).toEqual(['anna', 'bert']);
        expect(await names('', 2)).toEqual(['anna', 'bert']);
        expect(await names('zzz')).toEqual([]);
      });
    });

    describe('groups', () => {
      let u1: UserRecord, u2: UserRecord, u3: UserRecord;
      beforeEach(async () => {
        u1 = await s.users.create(user('u1'));
        u2 = await s.users.create(user('u2'));
        u3 = await s.users.create(user('u3'));
      });

      it('creates, reads, lists, updates and deletes, keeping member order', async () => {
        const g = await s.groups.create({ name: 'Support', sipId: 'support', members: [u3.id, u1.id] });
        expect(g).toMatchObject({ name: 'Support', sipId: 'support', members: [u3.id, u1.id] });
        expect(await s.groups.get(g.id)).toEqual(g);
        expect(await s.groups.getBySipId('support')).toEqual(g);
        expect(await s.groups.getBySipId('')).toBeUndefined();
        const h = await s.groups.create({ name: 'Accounting', sipId: '', members: [] });
        expect(await s.groups.list()).toEqual([h, g]);

        const upd = await s.groups.update(g.id, { members: [u2.id, u3.id, u1.id, u2.id] });
        expect(upd).toEqual({ ...g, members: [u2.id, u3.id, u1.id] });
        expect(await s.groups.update(g.id, { name: 'Help' })).toEqual({ ...upd, name: 'Help' });
        expect(await s.groups.update('nope', { name: 'x' })).toBeUndefined();
        expect(await s.groups.update('nope', { members: [] })).toBeUndefined();

        expect(await s.groups.delete(g.id)).toBe(true);
        expect(await s.groups.delete(g.id)).toBe(false);
        expect(await s.groups.get(g.id)).toBeUndefined();
      });

      it('keeps sipId unique, allows many empty ones, and rejects unknown members', async () => {
        await s.groups.create({ name: 'A', sipId: 'sales', members: [] });
        await s.groups.create({ name: 'B', sipId: '', members: [] });
        await s.groups.create({ name: 'C', sipId: '', members: [] });
        await expect(s.groups.create({ name: 'D', sipId: 'sales', members: [] })).rejects.toMatchObject({ name: 'StorageConflictError', field: 'sipId' });
        const err = await s.groups.create({ name: 'E', sipId: 'e', members: [u1.id, 'ghost'] }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StorageReferenceError);
        // all-or-nothing: the group row did not stay behind
        expect(await s.groups.getBySipId('e')).toBeUndefined();
        const b = (await s.groups.list()).find((g) => g.name === 'B')!;
        await expect(s.groups.update(b.id, { sipId: 'sales' })).rejects.toMatchObject({ field: 'sipId' });
      });

      it('lists the groups of a user, searches, and drops deleted users from groups', async () => {
        const g = await s.groups.create({ name: 'Sales Team', sipId: 'sales', members: [u1.id, u2.id] });
        const h = await s.groups.create({ name: 'Night shift', sipId: 'night', members: [u2.id] });
        expect((await s.groups.listForUser(u2.id)).map((x) => x.id)).toEqual([h.id, g.id]);
        expect(await s.groups.listForUser(u3.id)).toEqual([]);
        expect((await s.groups.search('TEAM', 10)).map((x) => x.id)).toEqual([g.id]);
        expect((await s.groups.search('nigh', 10)).map((x) => x.id)).toEqual([h.id]);
        expect((await s.groups.search('s', 1)).length).toBe(1);
        expect(await s.groups.search('%', 10)).toEqual([]);
        await s.users.delete(u2.id);
        expect((await s.groups.get(g.id))!.members).toEqual([u1.id]);
        expect((await s.groups.get(h.id))!.members).toEqual([]);
      });
    });

    describe('widgets', () => {
      it('stores the whole body and keeps uuid and times', async () => {
        const w = await s.widgets.create(widget('Shop'));
        expect(w.uuid).toMatch(/^[0-9a-f]{32}$/);
        expect(w).toEqual({ ...widget('Shop'), uuid: w.uuid, createdAt: clock, updatedAt: clock });
        expect(await s.widgets.get(w.uuid)).toEqual(w);
        expect(await s.widgets.get('0'.repeat(32))).toBeUndefined();
        clock += 10;
        const w2 = await s.widgets.create({ ...widget('Blog'), type: 'cards', agents: [] });
        expect((await s.widgets.list()).map((x) => x.name)).toEqual(['Shop', 'Blog']);

        clock += 5;
        const next = { ...widget('Shop 2'), lang: 'de' as const, appearance: {}, allowedOrigins: [] };
        const r = await s.widgets.replace(w.uuid, next);
        expect(r).toEqual({ ...next, uuid: w.uuid, createdAt: w.createdAt, updatedAt: clock });
        expect(await s.widgets.get(w.uuid)).toEqual(r);
        expect(await s.widgets.replace('f'.repeat(32), next)).toBeUndefined();

        expect(await s.widgets.delete(w2.uuid)).toBe(true);
        expect(await s.widgets.delete(w2.uuid)).toBe(false);
        expect(await s.widgets.list()).toEqual([r]);
      });
    });

    describe('flags', () => {
      it('creates, reads, lists, updates and deletes', async () => {
        const f = await s.flags.create({ name: 'Holiday', value: false });
        expect(f).toEqual({ id: f.id, name: 'Holiday', value: false, scheduleId: null, overrideUntil: null });
        const g = await s.flags.create({ name: 'Emergency', value: true });
        expect(await s.flags.get(g.id)).toEqual(g);
        expect(await s.flags.list()).toEqual([g, f]);
        expect(await s.flags.update(f.id, { value: true })).toEqual({ ...f, value: true });
        expect(await s.flags.update(f.id, { name: 'Vacation' })).toEqual({ id: f.id, name: 'Vacation', value: true, scheduleId: null, overrideUntil: null });
        expect(await s.flags.update('nope', { value: true })).toBeUndefined();
        expect(await s.flags.delete(f.id)).toBe(true);
        expect(await s.flags.delete(f.id)).toBe(false);
        expect(await s.flags.get(f.id)).toBeUndefined();
      });
    });

    describe('auth sessions and API tokens', () => {
      it('stores sessions, expires them, and deletes them per user', async () => {
        const a = await s.users.create(user('a'));
        const b = await s.users.create(user('b'));
        await s.authSessions.create({ id: 'h1', userId: a.id, createdAt: 1, expiresAt: 100 });
        await s.authSessions.create({ id: 'h2', userId: a.id, createdAt: 1, expiresAt: 200 });
        await s.authSessions.create({ id: 'h3', userId: b.id, createdAt: 1, expiresAt: 300 });
        expect(await s.authSessions.get('h1')).toEqual({ id: 'h1', userId: a.id, createdAt: 1, expiresAt: 100 });
        await expect(s.authSessions.create({ id: 'h1', userId: b.id, createdAt: 1, expiresAt: 1 })).rejects.toBeInstanceOf(StorageConflictError);
        await expect(s.authSessions.create({ id: 'hx', userId: 'ghost', createdAt: 1, expiresAt: 1 })).rejects.toBeInstanceOf(StorageReferenceError);
        expect(await s.authSessions.deleteExpired(100)).toBe(1);
        expect(await s.authSessions.get('h1')).toBeUndefined();
        await s.authSessions.create({ id: 'h4', userId: a.id, createdAt: 1, expiresAt: 400 });
        expect(await s.authSessions.deleteForUser(a.id, 'h4')).toBe(1);
        expect(await s.authSessions.get('h4')).toBeDefined();
        expect(await s.authSessions.deleteForUser(a.id)).toBe(1);
        expect(await s.authSessions.delete('h3')).toBe(true);
        expect(await s.authSessions.delete('h3')).toBe(false);
      });

      it('stores tokens by hash, lists them per user, and drops them with the user', async () => {
        const a = await s.users.create(user('a'));
        const t1 = await s.apiTokens.create({ userId: a.id, name: 'ci', tokenHash: 'aa' });
        clock += 1;
        const t2 = await s.apiTokens.create({ userId: a.id, name: 'crm', tokenHash: 'bb' });
        expect(t1).toEqual({ id: t1.id, userId: a.id, name: 'ci', tokenHash: 'aa', createdAt: 1_000_000 });
        expect(await s.apiTokens.getByHash('bb')).toEqual(t2);
        expect(await s.apiTokens.getByHash('cc')).toBeUndefined();
        expect(await s.apiTokens.listForUser(a.id)).toEqual([t1, t2]);
        await expect(s.apiTokens.create({ userId: a.id, name: 'dup', tokenHash: 'aa' })).rejects.toMatchObject({ field: 'tokenHash' });
        expect(await s.apiTokens.delete(t1.id)).toBe(true);
        expect(await s.apiTokens.delete(t1.id)).toBe(false);
        await s.authSessions.create({ id: 'h', userId: a.id, createdAt: 1, expiresAt: 2 });
        await s.users.delete(a.id);
        expect(await s.apiTokens.getByHash('bb')).toBeUndefined();
        expect(await s.authSessions.get('h')).toBeUndefined();
      });
    });

    describe('visitor sessions and presence', () => {
      it('upserts, touches and expires visitor sessions', async () => {
        await s.visitorSessions.upsert({ token: 't1', widgetUuid: 'w1', lastActive: 10 });
        await s.visitorSessions.upsert({ token: 't2', widgetUuid: 'w1', lastActive: 10 });
        await s.visitorSessions.upsert({ token: 't1', widgetUuid: 'w2', lastActive: 20 });
        expect(await s.visitorSessions.get('t1')).toEqual({ token: 't1', widgetUuid: 'w2', lastActive: 20 });
        await s.visitorSessions.touch('t2', 30);
        await s.visitorSessions.touch('nope', 30);
        expect(await s.visitorSessions.get('t2')).toEqual({ token: 't2', widgetUuid: 'w1', lastActive: 30 });
        expect(await s.visitorSessions.deleteOlderThan(25)).toBe(1);
        expect(await s.visitorSessions.get('t1')).toBeUndefined();
        expect(await s.visitorSessions.get('t2')).toBeDefined();
      });

      it('sets, reads and lists presence, and forgets it with the user', async () => {
        const a = await s.users.create(user('a'));
        const b = await s.users.create(user('b'));
        expect(await s.presence.get(a.id)).toBeUndefined();
        await s.presence.set({ userId: a.id, presence: 'online', source: 'console', updatedAt: 5 });
        await s.presence.set({ userId: a.id, presence: 'busy', source: 'api', updatedAt: 6 });
        await s.presence.set({ userId: b.id, presence: 'away', source: 'console', updatedAt: 7 });
        expect(await s.presence.get(a.id)).toEqual({ userId: a.id, presence: 'busy', source: 'api', updatedAt: 6 });
        expect((await s.presence.list()).length).toBe(2);
        await s.users.delete(a.id);
        expect(await s.presence.get(a.id)).toBeUndefined();
      });
    });

    describe('chats', () => {
      it('creates waiting chats, accepts once, closes once', async () => {
        const c = await s.chats.create(chatInput());
        expect(c).toEqual({ ...chatInput(), id: c.id, state: 'waiting', agentUserId: null, agentDn: null, closedBy: null, createdAt: clock, closedAt: null, acceptedAt: null });
        expect(await s.chats.get(c.id)).toEqual(c);
        const fixed = await s.chats.create({ ...chatInput(), dest: 'columbia', id: 'c-fixed', createdAt: 42 });
        expect(fixed).toMatchObject({ id: 'c-fixed', createdAt: 42 });
        await expect(s.chats.create({ ...chatInput('vs9'), id: 'c-fixed' })).rejects.toBeInstanceOf(StorageConflictError);
        // One open chat per visitor session and destination; another destination or session is fine.
        await expect(s.chats.create(chatInput())).rejects.toBeInstanceOf(StorageConflictError);

        expect(await s.chats.accept(c.id, 'agent1', 'Atlantis')).toBe(true);
        expect(await s.chats.accept(c.id, 'agent2', 'Other')).toBe(false);
        expect(await s.chats.accept('nope', 'agent2', 'Other')).toBe(false);
        // The accept time defaults to the storage clock; the chat manager passes its own.
        expect(await s.chats.get(c.id)).toMatchObject({ state: 'accepted', agentUserId: 'agent1', agentDn: 'Atlantis', acceptedAt: clock });
        expect(await s.chats.accept(fixed.id, 'agent1', 'Atlantis', 77)).toBe(true);
        expect(await s.chats.get(fixed.id)).toMatchObject({ acceptedAt: 77 });

        expect(await s.chats.close(c.id, 'visitor', 99)).toBe(true);
        expect(await s.chats.close(c.id, 'agent', 100)).toBe(false);
        expect(await s.chats.get(c.id)).toMatchObject({ state: 'closed', closedBy: 'visitor', closedAt: 99, agentUserId: 'agent1' });
        expect(await s.chats.accept(c.id, 'agent2', 'Other')).toBe(false);
        // Once closed, the same visitor may open a new chat to the same destination.
        expect((await s.chats.create(chatInput())).state).toBe('waiting');
      });

      it('lets only one of many concurrent accepts win, also across two open storages', async () => {
        const c = await s.chats.create(chatInput());
        const other = await reopen();
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => (i % 2 ? other : s).chats.accept(c.id, `agent${i}`, `Agent ${i}`)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect(await s.chats.get(c.id)).toMatchObject({ state: 'accepted', agentUserId: `agent${winner}` });
      });

      it('lists open chats per visitor and agent, and waiting chats', async () => {
        const c1 = await s.chats.create(chatInput('v1'));
        clock++;
        const c2 = await s.chats.create({ ...chatInput('v1'), dest: 'team' });
        clock++;
        const c3 = await s.chats.create(chatInput('v2'));
        await s.chats.accept(c2.id, 'ag', 'Ag');
        await s.chats.accept(c3.id, 'ag', 'Ag');
        expect((await s.chats.listOpenForVisitor('v1')).map((c) => c.id)).toEqual([c1.id, c2.id]);
        expect((await s.chats.listOpenForAgent('ag')).map((c) => c.id)).toEqual([c2.id, c3.id]);
        expect((await s.chats.listWaiting()).map((c) => c.id)).toEqual([c1.id]);
        await s.chats.close(c2.id, 'agent', 5);
        expect((await s.chats.listOpenForVisitor('v1')).map((c) => c.id)).toEqual([c1.id]);
        expect((await s.chats.listOpenForAgent('ag')).map((c) => c.id)).toEqual([c3.id]);
      });

      it('appends messages in order, idempotently per (chat, sender, cid), and says whether it inserted', async () => {
        const c = await s.chats.create(chatInput());
        const append = async (m: Omit<ChatMessageRecord, 'id'>) => (await s.chats.appendMessage(m)).message;
        const first = await s.chats.appendMessage({ chatId: c.id, from: 'visitor', dn: 'Vera', text: 'Hello', ts: 10, cid: 'k1' });
        const m1 = first.message;
        expect(first.inserted).toBe(true);
        expect(m1).toEqual({ id: m1.id, chatId: c.id, from: 'visitor', dn: 'Vera', text: 'Hello', ts: 10, cid: 'k1' });
        // A retry in the same millisecond is still told apart: the database says it inserted nothing.
        const again = await s.chats.appendMessage({ chatId: c.id, from: 'visitor', dn: 'Vera', text: 'Hello (retry)', ts: 10, cid: 'k1' });
        expect(again).toEqual({ message: m1, inserted: false });
        // the same cid from the other side is another message
        const m2 = await append({ chatId: c.id, from: 'agent', dn: 'Atlantis', text: 'Hi!', ts: 10, cid: 'k1' });
        // empty cids (system messages) are never merged
        const m3 = await append({ chatId: c.id, from: 'system', dn: '', text: 'joined', ts: 9, cid: '' });
        const m4 = await append({ chatId: c.id, from: 'system', dn: '', text: 'joined', ts: 9, cid: '' });
        const concurrent = await Promise.all(
          [1, 2, 3].map(() => s.chats.appendMessage({ chatId: c.id, from: 'visitor', dn: 'Vera', text: 'once', ts: 12, cid: 'k2' })),
        );
        expect(new Set(concurrent.map((r) => r.message.id)).size).toBe(1);
        // Exactly one of the racing appends inserted.
        expect(concurrent.filter((r) => r.inserted)).toHaveLength(1);

        const list = await s.chats.listMessages(c.id);
        expect(list.map((m) => m.text)).toEqual(['Hello', 'Hi!', 'joined', 'joined', 'once']);
        expect(list.map((m) => m.id)).toEqual([m1.id, m2.id, m3.id, m4.id, concurrent[0]!.message.id]);
        const ids = list.map((m) => m.id);
        expect([...ids].sort()).toEqual(ids);
        expect(new Set(ids).size).toBe(ids.length);
        expect(await s.chats.listMessages('nope')).toEqual([]);
        await expect(s.chats.appendMessage({ chatId: 'ghost', from: 'visitor', dn: 'V', text: 'x', ts: 1, cid: 'z' })).rejects.toBeInstanceOf(
          StorageReferenceError,
        );
      });

      it('keeps message ids sorting in insertion order past 10, 100, 1000', async () => {
        const c = await s.chats.create(chatInput());
        await s.transaction(async (tx) => {
          for (let i = 0; i < 1001; i++) await tx.chats.appendMessage({ chatId: c.id, from: 'visitor', dn: 'V', text: `m${i}`, ts: 1, cid: `c${i}` });
        });
        const list = await s.chats.listMessages(c.id);
        expect(list.map((m) => m.text)).toEqual(Array.from({ length: 1001 }, (_, i) => `m${i}`));
        const ids = list.map((m) => m.id);
        expect([...ids].sort()).toEqual(ids);
      });

      it('lists closed chats of an agent, newest first, filtered by visitor or message text', async () => {
        const mk = async (dn: string, email: string, text: string, closedAt: number, agent = 'ag') => {
          const c = await s.chats.create({ ...chatInput(), visitorDn: dn, visitorEmail: email });
          await s.chats.accept(c.id, agent, 'Ag');
          await s.chats.appendMessage({ chatId: c.id, from: 'visitor', dn, text, ts: 1, cid: 'k' });
          await s.chats.close(c.id, 'agent', closedAt);
          return c.id;
        };
        const a = await mk('Anna', 'anna@x.test', 'My order 42 is late', 10);
        const b = await mk('Ben', 'ben@x.test', 'Refund 100% please', 30);
        const c = await mk('Carl', 'carl@shop.test', 'hello', 20);
        await mk('Dora', 'dora@x.test', 'order', 40, 'someone-else');
        const open = await s.chats.create(chatInput());
        await s.chats.accept(open.id, 'ag', 'Ag');
        const ids = async (q: string | undefined, limit = 10) => (await s.chats.listClosedForAgent('ag', q, limit)).map((x) => x.id);
        expect(await ids(undefined)).toEqual([b, c, a]);
        expect(await ids('')).toEqual([b, c, a]);
        expect(await ids(undefined, 2)).toEqual([b, c]);
        expect(await ids('ORDER')).toEqual([a]);
        expect(await ids('anna')).toEqual([a]);
        expect(await ids('SHOP.TEST')).toEqual([c]);
        expect(await ids('100%')).toEqual([b]);
        expect(await ids('%')).toEqual([b]);
        expect(await ids('nothing')).toEqual([]);
      });
    });

    describe('call log', () => {
      it('creates, updates, reads and lists newest first', async () => {
        const c1 = await s.calls.create({ widgetUuid: 'w', dest: 'atlantis', visitorDn: 'V', video: true, agentUserId: null, startedAt: 10, answeredAt: null, endedAt: null, cause: null });
        expect(await s.calls.get(c1.id)).toEqual(c1);
        const c2 = await s.calls.create({ id: 'call-2', widgetUuid: 'w', dest: 'sales', visitorDn: 'W', video: false, agentUserId: 'u', startedAt: 20, answeredAt: 21, endedAt: null, cause: null });
        expect(c2.id).toBe('call-2');
        expect(await s.calls.update(c1.id, { agentUserId: 'u1', answeredAt: 12, endedAt: 30, cause: 'hangup' })).toBe(true);
        expect(await s.calls.get(c1.id)).toEqual({ ...c1, agentUserId: 'u1', answeredAt: 12, endedAt: 30, cause: 'hangup' });
        expect(await s.calls.update('nope', { cause: 'x' })).toBe(false);
        expect(await s.calls.update(c1.id, {})).toBe(true);
        expect((await s.calls.list(10)).map((c) => c.id)).toEqual([c2.id, c1.id]);
        expect((await s.calls.list(1)).map((c) => c.id)).toEqual([c2.id]);
        await expect(s.calls.create({ ...c2 })).rejects.toBeInstanceOf(StorageConflictError);
      });

      it('keeps the visitor context and session (migration 008) and lists one agent’s calls, answered or not, from a time', async () => {
        const base = { widgetUuid: 'w', visitorDn: 'V', video: false, endedAt: 99, cause: 'no-answer' };
        const visitor = { page: { url: 'https://shop.example/', title: 'Shop' }, lang: 'de' };
        const a = await s.calls.create({ ...base, id: 'f-a', dest: 'ann', agentUserId: 'u-ann', startedAt: 100, answeredAt: 101, visitor, visitorSession: 'sess-1' });
        expect(await s.calls.get('f-a')).toEqual(a);
        expect(a).toMatchObject({ visitor, visitorSession: 'sess-1' });
        await s.calls.create({ ...base, id: 'f-b', dest: 'ann', agentUserId: null, startedAt: 200, answeredAt: null });
        await s.calls.create({ ...base, id: 'f-c', dest: 'sales', agentUserId: null, startedAt: 300, answeredAt: null });
        await s.calls.create({ ...base, id: 'f-d', dest: 'sales', agentUserId: 'u-bob', startedAt: 400, answeredAt: 401 });
        await s.calls.create({ ...base, id: 'f-e', dest: 'bob', agentUserId: null, startedAt: 500, answeredAt: null });
        expect((await s.calls.get('f-b'))?.visitorSession).toBe('');
        expect((await s.calls.get('f-b'))?.visitor).toBeUndefined();
        const ids = async (f: Parameters<typeof s.calls.list>[1]) => (await s.calls.list(50, f)).map((c) => c.id).filter((id) => id.startsWith('f-'));
        const ann = { agentUserId: 'u-ann', dests: ['ann', 'sales'] };
        expect(await ids({ party: ann })).toEqual(['f-c', 'f-b', 'f-a']);
        expect(await ids({ party: { agentUserId: 'u-ann', dests: [] } })).toEqual(['f-a']);
        expect(await ids({ party: ann, answered: false })).toEqual(['f-c', 'f-b']);
        expect(await ids({ party: ann, answered: true })).toEqual(['f-a']);
        expect(await ids({ party: ann, from: 200 })).toEqual(['f-c', 'f-b']);
        expect(await ids({ answered: true, from: 150 })).toEqual(['f-d']);
      });
    });

    describe('phone system (migration 002)', () => {
      it("keeps a user's language (spec 13), none by default", async () => {
        const u = await s.users.create(user('lang1'));
        expect(u.lang).toBeUndefined();
        expect((await s.users.update(u.id, { lang: 'he' }))?.lang).toBe('he');
        expect((await s.users.get(u.id))?.lang).toBe('he');
        expect((await s.users.update(u.id, { lang: '' }))?.lang).toBeUndefined();
      });

      it('keeps where users and groups are reached, console by default', async () => {
        const u = await s.users.create(user('reach1'));
        expect(u.reach).toBe('console');
        expect((await s.users.get(u.id))?.reach).toBe('console');
        expect((await s.users.update(u.id, { reach: 'both' }))?.reach).toBe('both');
        const p = await s.users.create(user('reach2', { sipId: 'reach2', reach: 'phone' }));
        expect((await s.users.getBySipId(p.sipId))?.reach).toBe('phone');
        const g = await s.groups.create({ name: 'G', sipId: 'g-reach', members: [u.id] });
        expect(g.reach).toBe('console');
        expect((await s.groups.update(g.id, { reach: 'phone' }))?.reach).toBe('phone');
        expect((await s.groups.list()).find((x) => x.id === g.id)?.reach).toBe('phone');
      });

      it('records where a call was answered', async () => {
        const c = await s.calls.create({ widgetUuid: 'w', dest: 'desk', visitorDn: 'V', video: false, agentUserId: null, startedAt: 1, answeredAt: null, endedAt: null, cause: null });
        expect(c.answeredVia).toBeNull();
        await s.calls.update(c.id, { agentUserId: 'u', answeredAt: 2, answeredVia: 'phone' });
        expect(await s.calls.get(c.id)).toMatchObject({ agentUserId: 'u', answeredAt: 2, answeredVia: 'phone' });
      });

      it('stores one row of settings and replaces it', async () => {
        expect(await s.phoneSystem.get()).toBeUndefined();
        const rec = { enabled: true, registrar: 'sip:pbx;transport=tcp', domain: 'pbx', username: 'w', authUser: '', passwordEnc: 'v1:a:b:c', displayName: 'CW', outboundProxy: '', registerIntervalS: 300, updatedAt: 5 };
        await s.phoneSystem.put(rec);
        expect(await s.phoneSystem.get()).toEqual(rec);
        await s.phoneSystem.put({ ...rec, enabled: false, username: 'x', updatedAt: 6 });
        expect(await s.phoneSystem.get()).toEqual({ ...rec, enabled: false, username: 'x', updatedAt: 6 });
      });
    });

    describe('transactions', () => {
      it('commits everything fn wrote and returns its value', async () => {
        const out = await s.transaction(async (tx) => {
          const u = await tx.users.create(user('t1'));
          await tx.widgets.create(widget('W'));
          return u.id;
        });
        expect(await s.users.get(out)).toBeDefined();
        expect(await s.widgets.list()).toHaveLength(1);
      });

      it('writes nothing when fn throws', async () => {
        await expect(
          s.transaction(async (tx) => {
            await tx.users.create(user('gone'));
            await tx.widgets.create(widget('gone'));
            const c = await tx.chats.create(chatInput());
            await tx.chats.appendMessage({ chatId: c.id, from: 'visitor', dn: 'V', text: 'x', ts: 1, cid: 'k' });
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await s.users.list()).toEqual([]);
        expect(await s.widgets.list()).toEqual([]);
        expect(await s.chats.listWaiting()).toEqual([]);
      });

      it('writes nothing when a conflict happens inside', async () => {
        await s.users.create(user('taken'));
        await expect(
          s.transaction(async (tx) => {
            await tx.flags.create({ name: 'f', value: true });
            await tx.users.create(user('taken'));
          }),
        ).rejects.toBeInstanceOf(StorageConflictError);
        expect(await s.flags.list()).toEqual([]);
      });

      it('does not deadlock when fn uses the outer repos, and keeps them in the transaction', async () => {
        await expect(
          s.transaction(async (tx) => {
            const u = await tx.users.create(user('inner'));
            // a mistake the rule forbids, made harmless: same transaction
            expect(await s.users.get(u.id)).toEqual(u);
            await s.flags.create({ name: 'outer', value: false });
            const nested = await s.transaction(async (tx2) => tx2.flags.list());
            expect(nested).toHaveLength(1);
            throw new Error('undo');
          }),
        ).rejects.toThrow('undo');
        expect(await s.users.list()).toEqual([]);
        expect(await s.flags.list()).toEqual([]);
      });

      it('runs concurrent check-then-write transactions as if one after another', async () => {
        const admins = await Promise.all(['a', 'b', 'c', 'd'].map((n) => s.users.create(user(n, { roles: ['admin'] }))));
        // "never demote the last admin": under plain READ COMMITTED all four would see 4 and succeed.
        const demote = (id: string) =>
          s.transaction(async (tx) => {
            if ((await tx.users.countAdmins()) <= 1) return false;
            await tx.users.update(id, { roles: ['agent'] });
            return true;
          });
        const results = await Promise.all(admins.map((a) => demote(a.id)));
        expect(results.filter(Boolean)).toHaveLength(3);
        expect(await s.users.countAdmins()).toBe(1);
      });

      it('lets other callers proceed after the transaction ends', async () => {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const tx = s.transaction(async (t) => {
          await t.flags.create({ name: 'a', value: true });
          await gate;
        });
        const outside = s.flags.create({ name: 'b', value: false });
        release();
        await tx;
        await outside;
        expect((await s.flags.list()).map((f) => f.name)).toEqual(['a', 'b']);
      });
    });

    describe('migrations and restarts', () => {
      it('keeps data across close and reopen; re-running migrations is a no-op', async () => {
        const u = await s.users.create(user('persist', { sipId: 'p' }));
        const w = await s.widgets.create(widget('persist'));
        const c = await s.chats.create(chatInput());
        const { message: m } = await s.chats.appendMessage({ chatId: c.id, from: 'visitor', dn: 'V', text: 'before', ts: 1, cid: 'k' });
        await s.close();
        s = await openStorage({ ...opts, now: () => clock });
        const again = await reopen({ migrate: true });
        expect(await s.users.get(u.id)).toEqual(u);
        expect(await again.widgets.get(w.uuid)).toEqual(w);
        const { message: m2 } = await s.chats.appendMessage({ chatId: c.id, from: 'visitor', dn: 'V', text: 'after', ts: 2, cid: 'k2' });
        expect((await s.chats.listMessages(c.id)).map((x) => x.id)).toEqual([m.id, m2.id]);
        expect(m2.id > m.id).toBe(true);
        // the cid index survived the restart
        expect(await again.chats.appendMessage({ chatId: c.id, from: 'visitor', dn: 'V', text: 'dup', ts: 3, cid: 'k' })).toEqual({ message: m, inserted: false });
      });

      it('opens without migrating when told so', async () => {
        const raw = await backend.fresh();
        const bare = await openStorage({ ...raw, migrate: false });
        extra.push(bare);
        await bare.ping();
        await expect(bare.users.list()).rejects.toThrow();
        const migrated = await reopen({ ...raw, migrate: true });
        expect(await migrated.users.list()).toEqual([]);
      });

      it('closes idempotently and then fails ping', async () => {
        const x = await reopen();
        await x.close();
        await x.close();
        await expect(x.ping()).rejects.toThrow();
      });
    });
  });
}

describe('openStorage options', () => {
  it('rejects a DATABASE_URL that is not PostgreSQL', async () => {
    await expect(openStorage({ databaseUrl: 'mysql://x/y' })).rejects.toThrow(/postgres:\/\//);
  });

  it('rejects an unsafe schema name', async () => {
    await expect(openStorage({ databaseUrl: 'postgres://127.0.0.1:1/x', schema: 'a;drop' })).rejects.toThrow(/schema name/);
  });

  it('names an unreachable PostgreSQL without its password', async () => {
    const err = (await openStorage({ databaseUrl: 'postgres://cw:secret@127.0.0.1:1/x' }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/cannot reach PostgreSQL at postgres:\/\/cw:\*\*\*@127\.0\.0\.1:1\/x/);
    expect(err.message).not.toContain('secret');
  });

  it('opens an in-memory SQLite database', async () => {
    const s = await openStorage({ sqlitePath: ':memory:' });
    expect(s.kind).toBe('sqlite');
    await s.users.create(user('m'));
    expect(await s.users.list()).toHaveLength(1);
    await s.close();
  });
});

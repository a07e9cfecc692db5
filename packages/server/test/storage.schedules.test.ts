// Spec 11's storage on SQLite and PostgreSQL: schedules, flags following them with an override, missed contacts
// (idempotent per call/chat), the mail outbox (claim, retry, fail, survive a reopen) and transcript requests.
import { afterAll, describe, expect, it } from 'vitest';
import { need } from '@cw/testkit';
import { openStorage } from '../src/storage/index.js';
import type { Storage } from '../src/storage/types.js';
import { postgresBackend, sqliteBackend, type Backend } from './storage.backends.js';

const hasPg = await need('postgres', 'schedule storage on PostgreSQL');
const backends: Array<[Backend, boolean]> = [
  [sqliteBackend(), true],
  [postgresBackend(), hasPg],
];

for (const [backend, available] of backends) {
  describe.skipIf(!available)(`spec 11 storage on ${backend.name}`, () => {
    let now = 1_000_000;
    const open: Storage[] = [];
    afterAll(async () => {
      for (const x of open) await x.close();
      await backend.cleanup();
    });
    const fresh = async () => {
      const opts = await backend.fresh();
      const s = await openStorage({ ...opts, now: () => now });
      open.push(s);
      return { s, opts };
    };

    it('schedules and flags that follow them', async () => {
      const { s } = await fresh();
      const week = { mon: [['08:00', '12:00']], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } as never;
      const sch = await s.schedules.create({ name: 'Office', timeZone: 'Europe/Berlin', week, exceptions: [{ date: '2026-12-24', intervals: [], label: 'Eve' }] });
      expect(await s.schedules.get(sch.id)).toEqual(sch);
      now += 5;
      const after = await s.schedules.replace(sch.id, { ...sch, name: 'Office 2' });
      expect(after).toMatchObject({ name: 'Office 2', updatedAt: now, exceptions: [{ date: '2026-12-24', intervals: [], label: 'Eve' }] });
      expect(await s.schedules.replace('nope', sch)).toBeUndefined();
      const f = await s.flags.create({ name: 'open', value: false, scheduleId: sch.id });
      expect(f).toMatchObject({ scheduleId: sch.id, overrideUntil: null });
      expect(await s.flags.update(f.id, { value: true, overrideUntil: 1_796_450_400_000 })).toMatchObject({ value: true, overrideUntil: 1_796_450_400_000 });
      expect((await s.flags.listBySchedule(sch.id)).map((x) => x.id)).toEqual([f.id]);
      await s.flags.update(f.id, { scheduleId: null, overrideUntil: null });
      expect(await s.flags.listBySchedule(sch.id)).toEqual([]);
      expect(await s.schedules.delete(sch.id)).toBe(true);
      expect(await s.schedules.list()).toEqual([]);
    });

    it('missed contacts: one per call or chat, newest first, done and open again', async () => {
      const { s } = await fresh();
      const base = { widgetUuid: 'w1', widgetName: 'Shop', name: 'Vera', email: 'v@example.com', text: 'hi', consent: false };
      const a = await s.missed.add({ ...base, kind: 'offline', ref: null, agent: null, ts: 10 });
      const b = await s.missed.add({ ...base, kind: 'call', ref: 'call:k1', agent: 'atlantis', ts: 20 });
      const again = await s.missed.add({ ...base, kind: 'call', ref: 'call:k1', agent: 'atlantis', ts: 30 });
      expect(a.inserted && b.inserted).toBe(true);
      expect(again).toEqual({ record: b.record, inserted: false });
      expect((await s.missed.list({ limit: 10 })).map((m) => m.id)).toEqual([b.record.id, a.record.id]);
      const done = await s.missed.setState(a.record.id, 'done', 'u1', 99);
      expect(done).toMatchObject({ state: 'done', doneAt: 99, doneBy: 'u1' });
      expect((await s.missed.list({ state: 'open', limit: 10 })).map((m) => m.id)).toEqual([b.record.id]);
      expect(await s.missed.setState(a.record.id, 'open', null, 100)).toMatchObject({ state: 'open', doneAt: null });
      expect(await s.missed.setState('nope', 'done', null, 1)).toBeUndefined();
    });

    it('the mail outbox: claimed once, retried, failed, and kept across a reopen', async () => {
      const { s, opts } = await fresh();
      const m = await s.mail.enqueue({ kind: 'offline', to: ['a@example.com', 'b@example.com'], subject: 'S', text: 't', html: '<p>t</p>', replyTo: 'v@example.com' });
      expect(m).toMatchObject({ state: 'pending', attempts: 0, nextAt: now, to: ['a@example.com', 'b@example.com'] });
      const claimed = await s.mail.claimDue(now, 10, 1000);
      expect(claimed.map((x) => x.id)).toEqual([m.id]);
      // Locked: a second sender gets nothing until the lock ends.
      expect(await s.mail.claimDue(now, 10, 1000)).toEqual([]);
      await s.mail.markAttempt(m.id, { error: 'connection refused', nextAt: now + 500 });
      expect(await s.mail.counts()).toEqual({ pending: 1, failed: 0, sent: 0, nextAt: now + 500 });
      expect(await s.mail.claimDue(now + 100, 10, 1000)).toEqual([]);
      // A restart (a second storage on the same database) finds it.
      const s2 = await openStorage({ ...opts, now: () => now });
      open.push(s2);
      const later = await s2.mail.claimDue(now + 600, 10, 1000);
      expect(later.map((x) => [x.id, x.attempts, x.lastError])).toEqual([[m.id, 1, 'connection refused']]);
      await s2.mail.markAttempt(m.id, { error: 'gave up', nextAt: null });
      expect((await s2.mail.get(m.id))?.state).toBe('failed');
      expect(await s2.mail.retry(m.id, now + 700)).toBe(true);
      expect(await s2.mail.retry(m.id, now + 700)).toBe(false);
      const [again] = await s2.mail.claimDue(now + 700, 10, 1000);
      await s2.mail.markSent(again!.id, now + 800);
      expect(await s2.mail.get(m.id)).toMatchObject({ state: 'sent', sentAt: now + 800, attempts: 3 });
      expect((await s2.mail.list(10, 'sent')).length).toBe(1);
    });

    it('transcript requests: once per address, pending until queued', async () => {
      const { s } = await fresh();
      expect(await s.transcripts.add('c1', 'v@example.com', 'de', 1)).toBe(true);
      expect(await s.transcripts.add('c1', 'v@example.com', 'de', 2)).toBe(false);
      expect(await s.transcripts.add('c2', 'w@example.com', 'en', 3)).toBe(true);
      expect(await s.transcripts.pending('c1')).toEqual([{ chatId: 'c1', email: 'v@example.com', lang: 'de' }]);
      expect((await s.transcripts.pendingChats()).sort()).toEqual(['c1', 'c2']);
      await s.transcripts.markQueued('c1', 'v@example.com', 5);
      expect(await s.transcripts.pending('c1')).toEqual([]);
      expect(await s.transcripts.pendingChats()).toEqual(['c2']);
    });
  });
}

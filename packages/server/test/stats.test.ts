/**
 * Statistics on a seeded history with known answers, on SQLite and
 * PostgreSQL: buckets by day and hour in Europe/Berlin across both
 * daylight-saving changes, answered vs missed, time to answer p50/p90,
 * durations, busiest hours, agent load, per widget, agent and group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { need } from '@cw/testkit';
import { openStorage } from '../src/storage/index.js';
import type { Storage } from '../src/storage/types.js';
import { StatsInputError, StatsService, type StatsRequest } from '../src/stats/stats-service.js';
import { bucketsOf, isoInZone, isTimeZone, offsetAt, offsetSegments } from '../src/stats/time-zone.js';
import { postgresBackend, sqliteBackend, type Backend } from './storage.backends.js';

const T = (iso: string) => Date.parse(iso);
const S = 1000;
const BERLIN = 'Europe/Berlin';

describe('time zones', () => {
  it('knows IANA names and refuses others', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('gives the offset at an instant, also for half-hour zones', () => {
    expect(offsetAt(BERLIN, T('2026-01-15T12:00:00Z'))).toBe(3600 * S);
    expect(offsetAt(BERLIN, T('2026-07-15T12:00:00Z'))).toBe(7200 * S);
    expect(offsetAt('Asia/Kolkata', T('2026-07-15T12:00:00.250Z'))).toBe(19800 * S);
    expect(offsetAt('America/New_York', T('2026-01-15T12:00:00Z'))).toBe(-5 * 3600 * S);
  });

  it('splits a period at the daylight-saving changes, to the minute', () => {
    const segs = offsetSegments(BERLIN, T('2026-03-01T00:00:00Z'), T('2026-11-01T00:00:00Z'));
    expect(segs.map((s) => [new Date(s.from).toISOString(), s.offsetMs / 3600 / S])).toEqual([
      ['2026-03-01T00:00:00.000Z', 1],
      ['2026-03-29T01:00:00.000Z', 2],
      ['2026-10-25T01:00:00.000Z', 1],
    ]);
    expect(segs[2]!.to).toBe(T('2026-11-01T00:00:00Z'));
  });

  it('has a 23-hour day in spring and two 02:00 hours in autumn', () => {
    const spring = offsetSegments(BERLIN, T('2026-03-28T23:00:00Z'), T('2026-03-30T22:00:00Z'));
    expect(bucketsOf('day', spring).map((b) => isoInZone(b.start, b.offsetMs))).toEqual(['2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00']);
    expect(bucketsOf('hour', spring)).toHaveLength(23 + 24);

    const autumn = offsetSegments(BERLIN, T('2026-10-24T22:00:00Z'), T('2026-10-25T03:00:00Z'));
    expect(bucketsOf('hour', autumn).map((b) => isoInZone(b.start, b.offsetMs))).toEqual([
      '2026-10-25T00:00:00+02:00',
      '2026-10-25T01:00:00+02:00',
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-10-25T03:00:00+01:00',
    ]);
    expect(bucketsOf('day', autumn)).toHaveLength(1);
  });
});

const hasPg = await need('postgres', 'statistics on PostgreSQL');
const backends: Array<[Backend, boolean]> = [
  [sqliteBackend(), true],
  [postgresBackend(), hasPg],
];

for (const [backend, available] of backends) {
  describe.skipIf(!available)(`statistics on ${backend.name}`, () => {
    let s: Storage;
    let svc: StatsService;
    const ids: Record<string, string> = {};

    const call = (widgetUuid: string, dest: string, startedAt: string, o: { video?: boolean; answerS?: number; talkS?: number; ringS?: number; agent?: string; cause?: string } = {}) => {
      const started = T(startedAt);
      const answeredAt = o.answerS !== undefined ? started + o.answerS * S : null;
      const endedAt = answeredAt !== null && o.talkS !== undefined ? answeredAt + o.talkS * S : o.ringS !== undefined ? started + o.ringS * S : null;
      return s.calls.create({
        widgetUuid,
        dest,
        visitorDn: 'Visitor',
        video: !!o.video,
        agentUserId: o.agent ? ids[o.agent]! : null,
        startedAt: started,
        answeredAt,
        endedAt,
        cause: o.cause ?? (endedAt ? 'hangup' : null),
      });
    };
    const chat = async (widgetUuid: string, dest: string, createdAt: string, o: { acceptS?: number; agent?: string; closeS?: number } = {}) => {
      const created = T(createdAt);
      const c = await s.chats.create({ widgetUuid, visitorSession: 'vs', visitorDn: 'Visitor', visitorEmail: '', dest, createdAt: created });
      if (o.acceptS !== undefined) expect(await s.chats.accept(c.id, ids[o.agent!]!, o.agent!, created + o.acceptS * S)).toBe(true);
      if (o.closeS !== undefined) expect(await s.chats.close(c.id, o.acceptS !== undefined ? 'visitor' : 'system', created + o.closeS * S)).toBe(true);
    };

    beforeAll(async () => {
      s = await openStorage(await backend.fresh());
      svc = new StatsService({ storage: s });
      for (const name of ['alice', 'bob']) {
        const u = await s.users.create({ username: name, displayName: name.toUpperCase(), sipId: name, email: '', phone: '', department: '', roles: ['agent'], passwordHash: 'h' });
        ids[name] = u.id;
      }
      const g = await s.groups.create({ name: 'Sales', sipId: 'sales', members: [ids.alice!, ids.bob!] });
      ids.sales = g.id;

      // Widget w1, around the change to summer time (Sunday 2026-03-29, 02:00 → 03:00 local).
      await call('w1', 'alice', '2026-03-28T09:00:00Z', { answerS: 5, talkS: 60, agent: 'alice' }); // 10:00 local
      await call('w1', 'alice', '2026-03-28T09:30:00Z', { video: true, answerS: 15, talkS: 120, agent: 'alice' });
      await call('w1', 'sales', '2026-03-29T00:30:00Z', { ringS: 30, cause: 'no-answer' }); // 01:30 +01:00, missed
      await call('w1', 'sales', '2026-03-29T01:30:00Z', { answerS: 25, talkS: 30, agent: 'bob' }); // 03:30 +02:00
      await call('w1', 'alice', '2026-03-30T10:00:00Z'); // still ringing: neither answered nor missed
      await chat('w1', 'alice', '2026-03-28T09:10:00Z', { acceptS: 10, agent: 'alice', closeS: 300 });
      await chat('w1', 'sales', '2026-03-29T12:00:00Z', { closeS: 300 }); // never accepted: missed
      // Widget w2.
      await call('w2', 'bob', '2026-03-29T22:30:00Z', { ringS: 0, cause: 'busy' }); // 2026-03-30 00:30 local, missed
      await chat('w2', 'bob', '2026-03-30T08:00:00Z', { acceptS: 40, agent: 'bob' }); // still open
      // Outside every period asked below.
      await call('w1', 'alice', '2026-03-27T22:59:59Z', { answerS: 1, talkS: 1, agent: 'alice' });
      await call('w1', 'alice', '2026-03-30T22:00:00Z', { answerS: 1, talkS: 1, agent: 'alice' });
      // Widget w3, around the change back (Sunday 2026-10-25, 03:00 → 02:00 local).
      await call('w3', 'bob', '2026-10-25T00:30:00Z', { answerS: 2, talkS: 10, agent: 'bob' }); // 02:30 +02:00
      await call('w3', 'bob', '2026-10-25T01:30:00Z', { answerS: 4, talkS: 10, agent: 'bob' }); // 02:30 +01:00
    });

    afterAll(async () => {
      await s?.close();
      await backend.cleanup();
    });

    const period = { from: T('2026-03-28T00:00:00+01:00'), to: T('2026-03-31T00:00:00+02:00'), tz: BERLIN };
    const q = (o: Partial<StatsRequest>) => svc.query({ ...period, bucket: 'day', ...o });

    it('counts one widget by local day across the change to summer time', async () => {
      const r = await q({ widget: 'w1' });
      expect(r.period).toEqual({ from: '2026-03-28T00:00:00+01:00', to: '2026-03-31T00:00:00+02:00', bucket: 'day', tz: BERLIN });
      expect(r.buckets).toEqual([
        { start: '2026-03-28T00:00:00+01:00', chats: 1, voiceCalls: 1, videoCalls: 1, offlineMessages: 0, answered: 3, missed: 0 },
        { start: '2026-03-29T00:00:00+01:00', chats: 1, voiceCalls: 2, videoCalls: 0, offlineMessages: 0, answered: 1, missed: 2 },
        { start: '2026-03-30T00:00:00+02:00', chats: 0, voiceCalls: 1, videoCalls: 0, offlineMessages: 0, answered: 0, missed: 0 },
      ]);
      expect(r.totals).toEqual({
        chats: 2,
        voiceCalls: 4,
        videoCalls: 1,
        offlineMessages: 0,
        answered: 4,
        missed: 2,
        // answer times 5 s, 10 s (chat), 15 s, 25 s: nearest rank
        answerTimeP50Ms: 10_000,
        answerTimeP90Ms: 25_000,
        answerTimeAvgMs: 13_750,
        callsAnswered: 3,
        chatsAnswered: 1,
        callDurationTotalMs: 210_000,
        callDurationAvgMs: 70_000,
        chatDurationAvgMs: 290_000,
      });
    });

    it('buckets by hour: the 23-hour day has no 02:00', async () => {
      const r = await q({ widget: 'w1', bucket: 'hour' });
      expect(r.buckets).toHaveLength(24 + 23 + 24);
      const at = (start: string) => r.buckets.find((b) => b.start === start);
      expect(at('2026-03-29T02:00:00+01:00')).toBeUndefined();
      expect(at('2026-03-29T01:00:00+01:00')).toMatchObject({ voiceCalls: 1, missed: 1, answered: 0 });
      expect(at('2026-03-29T03:00:00+02:00')).toMatchObject({ voiceCalls: 1, missed: 0, answered: 1 });
      expect(at('2026-03-28T10:00:00+01:00')).toMatchObject({ chats: 1, voiceCalls: 1, videoCalls: 1, answered: 3 });
      const sum = r.buckets.reduce((a, b) => a + b.voiceCalls + b.videoCalls + b.chats, 0);
      expect(sum).toBe(r.totals.voiceCalls + r.totals.videoCalls + r.totals.chats);
    });

    it('keeps the repeated 02:00 hour of autumn apart', async () => {
      const r = await svc.query({ from: T('2026-10-25T00:00:00+02:00'), to: T('2026-10-25T04:00:00+01:00'), tz: BERLIN, bucket: 'hour', widget: 'w3' });
      expect(r.buckets.map((b) => [b.start, b.voiceCalls])).toEqual([
        ['2026-10-25T00:00:00+02:00', 0],
        ['2026-10-25T01:00:00+02:00', 0],
        ['2026-10-25T02:00:00+02:00', 1],
        ['2026-10-25T02:00:00+01:00', 1],
        ['2026-10-25T03:00:00+01:00', 0],
      ]);
      expect(r.totals.answerTimeP50Ms).toBe(2000);
      expect(r.totals.answerTimeP90Ms).toBe(4000);
      expect(r.busiestHours[0]).toEqual({ hour: 2, contacts: 2 });
    });

    it('names the busiest hours, the week grid and the agents', async () => {
      const r = await q({ widget: 'w1' });
      expect(r.busiestHours[0]).toEqual({ hour: 10, contacts: 3 });
      expect(r.busiestHours).toHaveLength(24);
      expect(r.busiestHours.reduce((a, h) => a + h.contacts, 0)).toBe(7);
      // Saturday 28 March, 10:00 local: weekday 5 (Monday = 0).
      expect(r.weekHours[5]![10]).toBe(3);
      expect(r.agents).toEqual([
        { id: ids.alice, sipId: 'alice', displayName: 'ALICE', calls: 2, chats: 1, talkTimeMs: 180_000 },
        { id: ids.bob, sipId: 'bob', displayName: 'BOB', calls: 1, chats: 0, talkTimeMs: 30_000 },
      ]);
    });

    it('filters by agent: addressed to them or answered by them', async () => {
      const r = await q({ agent: 'bob' });
      expect(r.totals).toMatchObject({ chats: 1, voiceCalls: 2, videoCalls: 0, answered: 2, missed: 1, answerTimeP50Ms: 25_000, answerTimeP90Ms: 40_000 });
      const w2 = await q({ agent: 'bob', widget: 'w2' });
      expect(w2.totals).toMatchObject({ chats: 1, voiceCalls: 1, answered: 1, missed: 1 });
    });

    it('filters by group: what was addressed to the group', async () => {
      const r = await q({ group: ids.sales });
      expect(r.totals).toMatchObject({ chats: 1, voiceCalls: 2, answered: 1, missed: 2, answerTimeP50Ms: 25_000 });
      await expect(q({ group: 'nope' })).rejects.toMatchObject({ field: 'group', notFound: true });
    });

    it('finds a rank in the database the same as in memory (large scopes take that path)', async () => {
      const scope = { from: period.from, to: period.to, widgetUuid: 'w1' };
      const all = (await s.stats.answerTimes(scope)).sort((a, b) => a - b);
      expect(all).toEqual([5000, 10_000, 15_000, 25_000]);
      for (let k = 0; k < all.length; k++) expect(await s.stats.answerTimeAt(scope, k)).toBe(all[k]);
      expect(await s.stats.answerTimeAt(scope, all.length)).toBeUndefined();
    });

    it('answers empty periods with zeros and no percentiles', async () => {
      const r = await svc.query({ from: T('2025-01-01T00:00:00Z'), to: T('2025-01-03T00:00:00Z'), tz: 'UTC', bucket: 'day' });
      expect(r.buckets).toHaveLength(2);
      expect(r.buckets[0]).toEqual({ start: '2025-01-01T00:00:00Z', chats: 0, voiceCalls: 0, videoCalls: 0, offlineMessages: 0, answered: 0, missed: 0 });
      expect(r.totals.answerTimeP50Ms).toBeNull();
      expect(r.agents).toEqual([]);
    });

    it('refuses periods it cannot answer', async () => {
      await expect(q({ to: period.from })).rejects.toBeInstanceOf(StatsInputError);
      await expect(svc.query({ from: 0, to: 100 * 86_400_000, tz: 'UTC', bucket: 'hour' })).rejects.toMatchObject({ field: 'bucket' });
      await expect(svc.query({ from: 0, to: 500 * 86_400_000, tz: 'UTC', bucket: 'day' })).rejects.toMatchObject({ field: 'to' });
    });
  });
}

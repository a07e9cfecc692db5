/**
 * Chat messages under concurrency, on SQLite and PostgreSQL: many messages
 * in flight at once (on PostgreSQL they go in batches, storage/repos/chat-batches.ts)
 * must each be stored once, in per-chat order, with retries answered by the
 * first record and a bad message failing alone.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { need } from '@cw/testkit';
import { openStorage } from '../src/storage/index.js';
import { StorageReferenceError, type Storage } from '../src/storage/types.js';
import { postgresBackend, sqliteBackend, type Backend } from './storage.backends.js';

const hasPg = await need('postgres', 'chat storage under load on PostgreSQL');
const backends: Array<[Backend, boolean]> = [
  [sqliteBackend(), true],
  [postgresBackend(), hasPg],
];

const chatInput = (visitorSession: string) => ({ widgetUuid: 'w1', visitorSession, visitorDn: 'Vera', visitorEmail: '', dest: 'atlantis' });

for (const [backend, available] of backends) {
  describe.skipIf(!available)(`chat messages under load on ${backend.name}`, () => {
    let s: Storage;
    beforeEach(async () => {
      s = await openStorage(await backend.fresh());
    });
    afterEach(() => s.close());
    afterAll(() => backend.cleanup());

    it('stores 300 concurrent messages of 6 chats once each, in order per chat, retries answered by the first record', async () => {
      const chats = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => s.chats.create(chatInput(`vs${i}`))));
      const sends: Promise<{ chat: string; i: number; id: string; text: string; inserted: boolean }>[] = [];
      const retries: Promise<{ chat: string; i: number; id: string; inserted: boolean }>[] = [];
      for (let i = 0; i < 50; i++)
        for (const c of chats) {
          // Each chat's messages are sent one after another (as a socket's queue does); chats interleave.
          const prev = sends[sends.length - chats.length];
          const started = (async () => {
            await prev;
          })();
          sends.push(
            started.then(async () => {
              const { message: m, inserted } = await s.chats.appendMessage({ chatId: c.id, from: 'visitor', dn: 'Vera', text: `m${i}`, ts: 1000 + i, cid: `k${i}` });
              return { chat: c.id, i, id: m.id, text: m.text, inserted };
            }),
          );
          // Every 10th message is retried while the original is in flight: either may arrive first.
          if (i % 10 === 0)
            retries.push(
              started.then(async () => {
                const { message: m, inserted } = await s.chats.appendMessage({ chatId: c.id, from: 'visitor', dn: 'Vera', text: `m${i}`, ts: 5000, cid: `k${i}` });
                return { chat: c.id, i, id: m.id, inserted };
              }),
            );
        }
      const stored = await Promise.all(sends);
      const retried = await Promise.all(retries);

      for (const c of chats) {
        const list = await s.chats.listMessages(c.id);
        expect(list.map((m) => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
        expect(list.map((m) => m.id)).toEqual(stored.filter((x) => x.chat === c.id).map((x) => x.id));
      }
      const ids = stored.map((x) => x.id);
      expect(new Set(ids).size).toBe(300);
      expect(retried).toHaveLength(30);
      for (const r of retried) {
        const original = stored.find((x) => x.chat === r.chat && x.i === r.i)!;
        expect(r.id).toBe(original.id);
        // Exactly one of the two stored it, and says so.
        expect([original.inserted, r.inserted].filter(Boolean)).toHaveLength(1);
      }
      expect(stored.filter((x) => x.i % 10 !== 0).every((x) => x.inserted)).toBe(true);
    });

    it('fails a message to a chat that does not exist alone; the others in flight with it are stored', async () => {
      const c = await s.chats.create(chatInput('vs1'));
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          s.chats.appendMessage({ chatId: i === 17 ? 'ghost' : c.id, from: 'agent', dn: 'A', text: `t${i}`, ts: i, cid: `a${i}` }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
      const failed = results[17]!;
      expect(failed.status).toBe('rejected');
      expect((failed as PromiseRejectedResult).reason).toBeInstanceOf(StorageReferenceError);
      expect((await s.chats.listMessages(c.id)).map((m) => m.text).sort()).toEqual(
        Array.from({ length: 40 }, (_, i) => `t${i}`)
          .filter((_, i) => i !== 17)
          .sort(),
      );
    });

    it('reads many chats at once, each its own record, unknown ids as undefined', async () => {
      const chats = await Promise.all(Array.from({ length: 12 }, (_, i) => s.chats.create(chatInput(`vs${i}`))));
      await s.chats.accept(chats[3]!.id, 'u1', 'Agent One');
      const ids = [...chats.map((c) => c.id), 'nope', chats[0]!.id];
      const got = await Promise.all(ids.map((id) => s.chats.get(id)));
      expect(got.map((c) => c?.id)).toEqual([...chats.map((c) => c.id), undefined, chats[0]!.id]);
      expect(got.map((c) => c?.visitorSession)).toEqual([...chats.map((c) => c.visitorSession), undefined, 'vs0']);
      expect(got[3]).toMatchObject({ state: 'accepted', agentUserId: 'u1', agentDn: 'Agent One' });
    });
  });
}

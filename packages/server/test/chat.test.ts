/** ChatManager: storage-first messages, atomic accept, wait timeout and restart (fake clock, SQLite in memory). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatManager, type AgentRef, type VisitorRef } from '../src/chat/chat-manager.js';
import type { Storage, UserRecord } from '../src/storage/types.js';
import { storageCatalog } from '../src/domain/widget-directory-cache.js';
import { FakeClock, RecordingOutbox, memoryStorage, silent } from './realtime-fakes.js';

let storage: Storage;
let clock: FakeClock;
let out: RecordingOutbox;
let chats: ChatManager;
let ann: UserRecord;
let bob: UserRecord;
const presence = new Map<string, string>();
const v: VisitorRef = { connId: 'conn1', session: 'sess1', widgetUuid: '' };
let annRef: AgentRef;
let bobRef: AgentRef;

const make = async () => {
  const m = new ChatManager({ storage, catalog: storageCatalog(storage), clock, waitTimeoutMs: 300_000, outbox: out, presence: { presence: (u) => presence.get(u) ?? 'offline' }, logger: silent });
  await m.start();
  return m;
};

beforeEach(async () => {
  storage = await memoryStorage();
  clock = new FakeClock();
  out = new RecordingOutbox();
  const mk = (n: string) => storage.users.create({ username: n, displayName: n.toUpperCase(), sipId: n, email: '', phone: '', department: '', roles: ['agent'], passwordHash: 'x' });
  ann = await mk('ann');
  bob = await mk('bob');
  await storage.groups.create({ name: 'Team', sipId: 'team', members: [ann.id, bob.id] });
  const w = await storage.widgets.create({ type: 'sidebar', name: 'Sales', notes: '', lang: 'en', contact: {}, appearance: {}, allowedOrigins: [], agents: [] });
  v.widgetUuid = w.uuid;
  annRef = { userId: ann.id, consoleId: 'ca', sipId: 'ann', dn: 'ANN' };
  bobRef = { userId: bob.id, consoleId: 'cb', sipId: 'bob', dn: 'BOB' };
  presence.set(ann.id, 'online');
  presence.set(bob.id, 'offline');
  chats = await make();
});
afterEach(async () => {
  chats.stop();
  await storage.close();
});

const start = async (dest = 'ann') => (await chats.handleStart(v, { widget: { uuid: v.widgetUuid, name: 'Sales' }, dest, dn: 'Vis' })).chat;

describe('ChatManager', () => {
  it('stores before acking; delivers pre-accept messages with the accept', async () => {
    const chat = await start();
    expect(out.to('vsession:sess1')).toEqual([{ mt: 'ChatInfo', chat: chat.id, state: 'waiting' }]);
    expect(out.to(`user:${ann.id}`)[0]).toMatchObject({ mt: 'ChatOffer', chat: chat.id, from: { dn: 'Vis' }, dest: 'ann' });
    await chats.handleVisitorMessage(v, chat.id, 'k1', 'hello');
    const ack = out.to('visitor:conn1')[0] as { id: string };
    expect(ack).toMatchObject({ mt: 'ChatAck', cid: 'k1' });
    expect((await storage.chats.listMessages(chat.id))[0]!.id).toBe(ack.id);
    // Spec 14: the offer again, with what the visitor wrote, so the agent reads it before accepting (no ChatMessage yet).
    expect(out.to(`user:${ann.id}`)).toHaveLength(2);
    expect(out.to(`user:${ann.id}`)[1]).toMatchObject({ mt: 'ChatOffer', chat: chat.id, messages: [{ id: ack.id, text: 'hello', from: 'visitor' }] });
    await chats.handleAccept(annRef, chat.id);
    expect(out.to('console:ca')[1]).toMatchObject({ mt: 'ChatHistory', messages: [{ id: ack.id, text: 'hello', from: 'visitor' }] });
  });

  it('a retried cid is acked again with the same id and not delivered twice', async () => {
    const chat = await start();
    await chats.handleAccept(annRef, chat.id);
    out.clear();
    await chats.handleVisitorMessage(v, chat.id, 'k1', 'hi');
    await chats.handleVisitorMessage({ ...v, connId: 'conn2' }, chat.id, 'k1', 'hi');
    const acks = out.sent.filter((s) => s.msg.mt === 'ChatAck').map((s) => (s.msg as { id: string }).id);
    expect(acks).toHaveLength(2);
    expect(acks[0]).toBe(acks[1]);
    expect(out.to(`user:${ann.id}`).filter((m) => m.mt === 'ChatMessage')).toHaveLength(1);
  });

  it('a retry that reaches another process (same storage) in the same millisecond is not relayed again', async () => {
    const chat = await start();
    await chats.handleAccept(annRef, chat.id);
    // A second ChatManager over the same storage stands for a second server process.
    const other = await make();
    try {
      out.clear();
      await chats.handleVisitorMessage(v, chat.id, 'k1', 'hi');
      await other.handleVisitorMessage({ ...v, connId: 'conn2' }, chat.id, 'k1', 'hi');
      await other.handleAgentMessage(annRef, chat.id, 'a1', 'hello');
      await chats.handleAgentMessage(annRef, chat.id, 'a1', 'hello');
      expect(out.sent.filter((x) => x.msg.mt === 'ChatAck')).toHaveLength(4);
      const texts = (dest: string) => out.to(dest).flatMap((m) => (m.mt === 'ChatMessage' ? [m.text] : []));
      // Each message once: the visitor's to the agent, the agent's echo to their other consoles and to the visitor.
      expect(texts(`user:${ann.id}`)).toEqual(['hi', 'hello']);
      expect(texts('vsession:sess1')).toEqual(['hi', 'hello']);
      expect((await storage.chats.listMessages(chat.id)).map((m) => m.text)).toEqual(['hi', 'hello']);
    } finally {
      other.stop();
    }
  });

  it('group: offered to online members; accept is atomic; the loser gets taken', async () => {
    presence.set(bob.id, 'online');
    const chat = await start('team');
    expect(out.to(`user:${bob.id}`)[0]).toMatchObject({ mt: 'ChatOffer' });
    await Promise.all([chats.handleAccept(annRef, chat.id), chats.handleAccept(bobRef, chat.id)]);
    const annGot = out.to('console:ca').map((m) => (m as { state?: string }).state);
    const bobGot = out.to('console:cb').map((m) => (m as { state?: string }).state);
    const winners = [annGot.includes('accepted'), bobGot.includes('accepted')].filter(Boolean);
    expect(winners).toHaveLength(1);
    expect(annGot.includes('taken') || bobGot.includes('taken')).toBe(true);
  });

  it('offers waiting group requests to a member who comes online', async () => {
    const chat = await start('team');
    expect(out.to(`user:${bob.id}`)).toEqual([]);
    presence.set(bob.id, 'online');
    await chats.handleUserOnline(bob.id);
    expect(out.to(`user:${bob.id}`)).toEqual([expect.objectContaining({ mt: 'ChatOffer', chat: chat.id, dest: 'team' })]);
    await chats.handleUserOnline('stranger');
    expect(out.sent.filter((x) => x.to === 'user:stranger')).toEqual([]);
  });

  it('closes unanswered requests by system after the wait timeout, also after a restart', async () => {
    const chat = await start();
    clock.advance(200_000);
    chats.stop();
    // "Restart": a new manager re-arms the timer for the time that is left.
    chats = await make();
    clock.advance(99_999);
    expect((await storage.chats.get(chat.id))!.state).toBe('waiting');
    clock.advance(1);
    await expect.poll(async () => (await storage.chats.get(chat.id))!.state).toBe('closed');
    expect(out.to('vsession:sess1').at(-1)).toEqual({ mt: 'ChatInfo', chat: chat.id, state: 'closed', by: 'system' });
    await expect(chats.handleVisitorMessage(v, chat.id, 'k', 'late')).rejects.toMatchObject({ code: 'unknown-chat' });
  });

  it('restores accepted chats and waiting offers for a reconnecting console', async () => {
    const accepted = await start();
    await chats.handleAccept(annRef, accepted.id);
    await chats.handleAgentMessage(annRef, accepted.id, 'a1', 'hi');
    const waiting = await start('team');
    const restored = await chats.agentRestore({ ...annRef, consoleId: 'ca2' });
    expect(restored.map((m) => m.mt)).toEqual(['ChatHistory', 'ChatOffer']);
    expect(restored[0]).toMatchObject({ chat: accepted.id, agent: 'ann', from: { dn: 'Vis' }, widget: { name: 'Sales' } });
    expect(restored[1]).toMatchObject({ chat: waiting.id });
    const hist = await chats.visitorHistory('sess1');
    expect(hist.map((h) => [h.chat, h.state])).toEqual(
      expect.arrayContaining([
        [accepted.id, 'accepted'],
        [waiting.id, 'waiting'],
      ]),
    );
  });

  it('ends the open chats of a revoked user by system', async () => {
    const chat = await start();
    await chats.handleAccept(annRef, chat.id);
    await chats.handleUserRevoked(ann.id);
    expect((await storage.chats.get(chat.id))!.state).toBe('closed');
    expect(out.to('vsession:sess1').at(-1)).toEqual({ mt: 'ChatInfo', chat: chat.id, state: 'closed', by: 'system' });
  });

  it('refuses chats that are not yours', async () => {
    const chat = await start();
    await expect(chats.handleAgentMessage(annRef, chat.id, 'x', 'not accepted yet')).rejects.toMatchObject({ code: 'unknown-chat' });
    await expect(chats.handleAccept(bobRef, chat.id)).rejects.toMatchObject({ code: 'unknown-chat' });
    await expect(chats.handleVisitorEnd({ ...v, session: 'other' }, chat.id)).rejects.toMatchObject({ code: 'unknown-chat' });
    await chats.handleVisitorEnd(v, chat.id);
    expect(out.to(`user:${ann.id}`).at(-1)).toEqual({ mt: 'ChatInfo', chat: chat.id, state: 'closed', by: 'visitor' });
    await expect(chats.handleVisitorEnd(v, chat.id)).rejects.toMatchObject({ code: 'unknown-chat' });
  });
});

/**
 * The console store against a fake agent channel: presence restore after
 * (re)connect, chat accept/send/ack, resend with the same cid after a
 * reconnect, ringing stopped by answered-elsewhere, typing both ways.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentSocket, JsonSocketEvents } from '@cw/client-core';
import type { AgentInbound, AgentOutbound, Presence } from '@cw/protocol';
import type { Me } from '../src/api.js';

/** The agent channel as the store uses it; what it receives is typed as the server's messages. */
class FakeAgentSocket {
  sent: AgentInbound[] = [];
  up = false;
  handlers: { open: JsonSocketEvents<AgentOutbound>['open'][]; message: JsonSocketEvents<AgentOutbound>['message'][]; close: JsonSocketEvents<AgentOutbound>['close'][] } = { open: [], message: [], close: [] };
  on<K extends keyof JsonSocketEvents<AgentOutbound>>(ev: K, fn: JsonSocketEvents<AgentOutbound>[K]) {
    (this.handlers[ev] as JsonSocketEvents<AgentOutbound>[K][]).push(fn);
    return () => {};
  }
  connect() {}
  close() {
    this.up = false;
  }
  retryNow() {}
  get connected() {
    return this.up;
  }
  send(m: AgentInbound) {
    if (!this.up) return false;
    this.sent.push(m);
    return true;
  }
  open(again = false) {
    this.up = true;
    for (const h of this.handlers.open) h(again);
  }
  drop() {
    this.up = false;
    for (const h of this.handlers.close) h(1006, true);
  }
  recv(m: AgentOutbound) {
    for (const h of this.handlers.message) h(m);
  }
  take<T extends AgentInbound['mt']>(mt: T): Extract<AgentInbound, { mt: T }>[] {
    const out = this.sent.filter((m): m is Extract<AgentInbound, { mt: T }> => m.mt === mt);
    this.sent = this.sent.filter((m) => m.mt !== mt);
    return out;
  }
}

const store = new Map<string, string>();
const session = new Map<string, string>();
beforeEach(() => {
  store.clear();
  session.clear();
  const sessionStorage = { getItem: (k: string) => session.get(k) ?? null, setItem: (k: string, v: string) => session.set(k, v), removeItem: (k: string) => session.delete(k) };
  const localStorage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v) };
  vi.stubGlobal('window', { addEventListener() {}, removeEventListener() {}, sessionStorage, localStorage });
  vi.stubGlobal('document', { visibilityState: 'visible' });
  vi.stubGlobal('localStorage', localStorage);
  vi.stubGlobal('location', { protocol: 'http:', host: 'x', search: '' });
  vi.stubGlobal('sessionStorage', sessionStorage);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** The client id of an outgoing line (each has one). */
function cidOf(line: { cid?: string | null } | undefined): string {
  if (!line?.cid) throw new Error('the line has no cid');
  return line.cid;
}

const user: Me = { id: 'u1', username: 'ann', displayName: 'Ann', sipId: 'ann', email: '', phone: '', department: '', picture: '', lang: '', roles: ['agent'], reach: 'console' };
const welcome = (presence: Presence = 'offline'): AgentOutbound => ({ mt: 'Welcome', user: { id: 'u1', sipId: 'ann', dn: 'Ann' }, presence });

async function make() {
  const { ConsoleStore } = await import('../src/state/store.js');
  const sock = new FakeAgentSocket();
  const s = new ConsoleStore(user, { socket: sock as unknown as AgentSocket });
  s.start();
  return { s, sock };
}

describe('console store', () => {
  it('restores the remembered presence after connect, and changes nothing without one', async () => {
    const { s, sock } = await make();
    sock.open();
    sock.recv(welcome('offline'));
    expect(sock.take('SetPresence')).toEqual([]);
    s.setPresence('away');
    expect(sock.take('SetPresence')).toEqual([{ mt: 'SetPresence', presence: 'away' }]);
    sock.drop();
    expect(s.state.link).toBe('reconnecting');
    sock.open(true);
    sock.recv(welcome('offline'));
    expect(sock.take('SetPresence')).toEqual([{ mt: 'SetPresence', presence: 'away' }]);
    expect(s.state.presence).toBe('away');
    // A stale Presence racing the restore is shown but not remembered; the confirmation is.
    sock.recv({ mt: 'Presence', presence: 'offline', visible: 'offline' });
    sock.recv({ mt: 'Presence', presence: 'away', visible: 'busy' });
    // Later a choice made elsewhere (the presence API) becomes the one to restore.
    sock.recv({ mt: 'Presence', presence: 'busy', visible: 'busy' });
    expect(s.state.presence).toBe('busy');
    sock.drop();
    sock.open(true);
    sock.recv(welcome('offline'));
    expect(sock.take('SetPresence')).toEqual([{ mt: 'SetPresence', presence: 'busy' }]);
  });

  it('restores the last chosen presence at the next sign-in (a new store for the same user), not another user’s', async () => {
    const first = await make();
    first.sock.open();
    first.sock.recv(welcome('online'));
    first.s.setPresence('busy');
    first.s.stop();
    // signed in again: the server says offline (no console was connected)
    const again = await make();
    again.sock.open();
    again.sock.recv(welcome('offline'));
    expect(again.sock.take('SetPresence')).toEqual([{ mt: 'SetPresence', presence: 'busy' }]);
    expect(again.s.state.presence).toBe('busy');
    // another user in the same browser has nothing remembered
    const { ConsoleStore } = await import('../src/state/store.js');
    const sock = new FakeAgentSocket();
    const other = new ConsoleStore({ ...user, id: 'u2', username: 'bob' }, { socket: sock as unknown as AgentSocket });
    other.start();
    sock.open();
    sock.recv({ mt: 'Welcome', user: { id: 'u2', sipId: 'bob', dn: 'Bob' }, presence: 'offline' });
    expect(sock.take('SetPresence')).toEqual([]);
  });

  it('tells the Missed view when a call or chat request that rang here ends untaken or is declined, not when answered elsewhere', async () => {
    const { s, sock } = await make();
    sock.open();
    sock.recv(welcome('online'));
    let n = 0;
    s.onMissed(() => n++);
    const ring = (call: string) => sock.recv({ mt: 'IncomingCall', call, from: { dn: 'Max' }, widget: { uuid: 'w', name: 'Shop' }, video: false, sdp: 'v=0' });
    ring('k1');
    sock.recv({ mt: 'CallInfo', call: 'k1', state: 'terminated', cause: 'answered-elsewhere' });
    expect(n).toBe(0);
    ring('k2');
    sock.recv({ mt: 'CallInfo', call: 'k2', state: 'terminated', cause: 'cancelled' });
    expect(n).toBe(1);
    ring('k3');
    s.calls.decline('k3');
    expect(n).toBe(2);
    sock.recv({ mt: 'ChatOffer', chat: 'c9', from: { dn: 'Vera' }, widget: { uuid: 'w', name: 'Shop' } });
    sock.recv({ mt: 'ChatInfo', chat: 'c9', state: 'closed', by: 'visitor' });
    expect(n).toBe(3);
    s.stop();
  });

  it('shows one status: the chosen presence, and "in a call" beside it while in one', async () => {
    const { statusText, inCall } = await import('../src/ui/header.js');
    const base = { call: null, presence: 'online' as const, visible: 'online' as const };
    expect(statusText(base)).toBe('Online');
    expect(statusText({ ...base, visible: 'busy' })).toBe('Online · in a call');
    expect(inCall({ ...base, visible: 'busy' })).toBe(true);
    // Busy chosen by the agent is not a call
    expect(statusText({ call: null, presence: 'busy', visible: 'busy' })).toBe('Busy');
    expect(statusText({ call: {} as never, presence: 'away', visible: 'busy' })).toBe('Away · in a call');
    expect(statusText({ call: null, presence: null, visible: null })).toBe('Unknown');
  });

  it('accepts a chat, sends with delivery state, and resends unacked messages with the same cid after a reconnect', async () => {
    const { s, sock } = await make();
    sock.open();
    sock.recv(welcome('online'));
    sock.recv({ mt: 'ChatOffer', chat: 'c1', from: { dn: 'Vera', email: 'v@example.org' }, widget: { uuid: 'w', name: 'Sales' } });
    expect(s.state.offers).toHaveLength(1);
    s.chats.accept('c1');
    expect(sock.take('ChatAccept')).toEqual([{ mt: 'ChatAccept', chat: 'c1' }]);
    sock.recv({ mt: 'ChatHistory', chat: 'c1', state: 'accepted', messages: [{ mt: 'ChatMessage', chat: 'c1', id: 'm1', from: 'visitor', dn: 'Vera', text: 'early', ts: 1 }] });
    expect(s.state.offers).toEqual([]);
    expect(s.state.chats[0]!.visitor).toEqual({ dn: 'Vera', email: 'v@example.org' });
    expect(s.state.activeChat).toBe('c1');

    s.chats.send('c1', 'hello');
    const [m1] = sock.take('ChatMessage');
    sock.recv({ mt: 'ChatAck', chat: 'c1', cid: m1!.cid, id: 'm2', ts: 2 });
    expect(s.state.chats[0]!.lines.map((l) => l.delivery)).toEqual([undefined, 'sent']);

    sock.drop();
    s.chats.send('c1', 'while away');
    expect(sock.take('ChatMessage')).toEqual([]);
    expect(s.state.chats[0]!.lines.at(-1)!.delivery).toBe('sending');
    const cid = cidOf(s.state.chats[0]!.lines.at(-1));

    sock.open(true);
    sock.recv(welcome('online'));
    sock.recv({
      mt: 'ChatHistory',
      chat: 'c1',
      state: 'accepted',
      messages: [
        { mt: 'ChatMessage', chat: 'c1', id: 'm1', from: 'visitor', dn: 'Vera', text: 'early', ts: 1 },
        { mt: 'ChatMessage', chat: 'c1', id: 'm2', from: 'agent', dn: 'Ann', text: 'hello', ts: 2 },
      ],
    });
    expect(sock.take('ChatMessage')).toEqual([{ mt: 'ChatMessage', chat: 'c1', cid, text: 'while away' }]);
    sock.recv({ mt: 'ChatAck', chat: 'c1', cid, id: 'm3', ts: 3 });
    expect(s.state.chats[0]!.lines.map((l) => [l.text, l.delivery])).toEqual([
      ['early', undefined],
      ['hello', 'sent'],
      ['while away', 'sent'],
    ]);
  });

  it('keeps unacked messages over a reload and resends them with the same cid', async () => {
    const a = await make();
    a.sock.open();
    a.sock.recv(welcome('online'));
    a.sock.recv({ mt: 'ChatHistory', chat: 'c1', state: 'accepted', messages: [], from: { dn: 'Vera' } });
    a.sock.drop();
    a.s.chats.send('c1', 'written while offline');
    const cid = cidOf(a.s.state.chats[0]!.lines[0]);
    a.s.stop();

    const b = await make();
    b.sock.open();
    b.sock.recv(welcome('online'));
    b.sock.recv({ mt: 'ChatHistory', chat: 'c1', state: 'accepted', messages: [], from: { dn: 'Vera' } });
    expect(b.sock.take('ChatMessage')).toEqual([{ mt: 'ChatMessage', chat: 'c1', cid, text: 'written while offline' }]);
    b.sock.recv({ mt: 'ChatAck', chat: 'c1', cid, id: 'm1', ts: 5 });
    expect(b.s.state.chats[0]!.lines.map((l) => [l.text, l.delivery])).toEqual([['written while offline', 'sent']]);
    expect(session.size).toBe(0);
  });

  it('counts unread messages for chats not on screen and drops offers taken elsewhere', async () => {
    const { s, sock } = await make();
    sock.open();
    sock.recv(welcome('online'));
    for (const chat of ['c1', 'c2']) sock.recv({ mt: 'ChatHistory', chat, state: 'accepted', messages: [], from: { dn: chat } });
    expect(s.state.activeChat).toBe('c1');
    sock.recv({ mt: 'ChatMessage', chat: 'c2', id: 'x', from: 'visitor', dn: 'c2', text: 'hi', ts: 1 });
    sock.recv({ mt: 'ChatMessage', chat: 'c1', id: 'y', from: 'visitor', dn: 'c1', text: 'hi', ts: 1 });
    // A message that arrives twice (e.g. again after a reconnect) is one line and one unread.
    sock.recv({ mt: 'ChatMessage', chat: 'c2', id: 'x', from: 'visitor', dn: 'c2', text: 'hi', ts: 1 });
    expect(s.state.chats.map((c) => c.unread)).toEqual([0, 1]);
    expect(s.state.chats[1]!.lines).toHaveLength(1);
    s.chats.open('c2');
    expect(s.state.chats.map((c) => c.unread)).toEqual([0, 0]);
    sock.recv({ mt: 'ChatOffer', chat: 'c3', from: { dn: 'Xena' }, widget: { uuid: 'w', name: 'Sales' } });
    sock.recv({ mt: 'ChatInfo', chat: 'c3', state: 'taken' });
    expect(s.state.offers).toEqual([]);
    expect(s.state.notices.at(-1)!.text).toContain('taken by another console');
  });

  it('sends Typing true once while typing and false after idle or on send', async () => {
    vi.useFakeTimers();
    const { s, sock } = await make();
    sock.open();
    sock.recv(welcome('online'));
    sock.recv({ mt: 'ChatHistory', chat: 'c1', state: 'accepted', messages: [] });
    s.chats.typed('c1', false);
    s.chats.typed('c1', false);
    expect(sock.take('Typing')).toEqual([{ mt: 'Typing', chat: 'c1', typing: true }]);
    vi.advanceTimersByTime(3100);
    expect(sock.take('Typing')).toEqual([{ mt: 'Typing', chat: 'c1', typing: false }]);
    s.chats.typed('c1', false);
    s.chats.send('c1', 'x');
    expect(sock.take('Typing')).toEqual([
      { mt: 'Typing', chat: 'c1', typing: true },
      { mt: 'Typing', chat: 'c1', typing: false },
    ]);
    sock.recv({ mt: 'Typing', chat: 'c1', typing: true });
    expect(s.state.chats[0]!.visitorTyping).toBe(true);
    vi.advanceTimersByTime(11_000);
    expect(s.state.chats[0]!.visitorTyping).toBe(false);
  });

  it('stops ringing when another console answers, and when the caller hangs up', async () => {
    const { s, sock } = await make();
    sock.open();
    sock.recv(welcome('online'));
    sock.recv({ mt: 'IncomingCall', call: 'k1', from: { dn: 'Vera' }, widget: { uuid: 'w', name: 'Sales' }, video: true, sdp: 'v=0' });
    sock.recv({ mt: 'IncomingCall', call: 'k2', from: { dn: 'Walt' }, widget: { uuid: 'w', name: 'Sales' }, video: false, sdp: 'v=0' });
    expect(s.state.ringing.map((r) => r.id)).toEqual(['k1', 'k2']);
    expect(s.ringtone.ringing).toBe(true);
    sock.recv({ mt: 'CallInfo', call: 'k1', state: 'terminated', cause: 'answered-elsewhere' });
    expect(s.ringtone.ringing).toBe(true);
    sock.recv({ mt: 'CallInfo', call: 'k2', state: 'terminated', cause: 'cancelled' });
    expect(s.state.ringing).toEqual([]);
    expect(s.ringtone.ringing).toBe(false);
    expect(s.state.notices.map((n) => n.text)).toEqual(['The call from Vera was answered on another console.', 'Missed voice call from Walt via Sales.']);
    s.calls.decline('k2');
    expect(sock.take('RejectCall')).toEqual([]);
  });

  it('after rate-limited it says so once and waits for the socket to come back by itself', async () => {
    const { onAnnounce } = await import('../src/notify.js');
    const said: string[] = [];
    const off = onAnnounce((text) => said.push(text));
    const { s, sock } = await make();
    sock.open();
    sock.recv(welcome('online'));
    sock.recv({ mt: 'Error', code: 'rate-limited', text: 'Too many messages.', ref: null });
    sock.handlers.close.forEach((h) => h(1008, true));
    off();
    expect(s.state.link).toBe('reconnecting');
    expect(s.state.notices.map((n) => n.text)).toEqual(['Too many messages were sent too quickly; reconnecting in a few seconds.']);
    expect(said).toEqual([]);
    sock.open(true);
    sock.recv(welcome('online'));
    expect(s.state.link).toBe('online');
  });

  it('goes back to sign-in on unauthorized and explains a missing agent role', async () => {
    const a = await make();
    a.sock.open();
    a.sock.recv({ mt: 'Error', code: 'unauthorized', text: 'sign in first', ref: null });
    expect(a.s.state.link).toBe('signed-out');
    const b = await make();
    b.sock.open();
    b.sock.recv({ mt: 'Error', code: 'forbidden', text: 'no agent role', ref: null });
    b.sock.handlers.close.forEach((h) => h(1008, false));
    expect(b.s.state.link).toBe('refused');
    expect(b.s.state.linkText).toContain('agent role');
  });
});

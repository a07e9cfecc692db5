/**
 * The live controller against a fake WebSocket and sessionStorage: the
 * loading sequence, pictures after every fresh Session, and the resume rules
 * (nothing typed is lost, resent with the same cid, across a reload).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../../client-core/test/fakes/fake-web-socket.js';

const store = new Map<string, string>();
const g = globalThis as any;

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.all = [];
  store.clear();
  g.WebSocket = FakeWebSocket;
  g.window = {
    addEventListener() {},
    removeEventListener() {},
    sessionStorage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
  };
  Object.defineProperty(globalThis, 'navigator', { value: { language: 'de-CH' }, configurable: true });
});
afterEach(() => {
  vi.useRealTimers();
});

const SESSION = { mt: 'Session', name: 'Sales', lang: 'de', strings: {}, type: 'sidebar', appearance: {}, contact: {}, session: 'tok1', uuid: 'w1' };
const info = (id: string, presence = 'online') => ({ mt: 'Info', id, dn: id.toUpperCase(), department: '', phonenumber: '', email: '', company: {}, presence, media: ['chat', 'voice'], order: 0 });

async function make() {
  const { WidgetController } = await import('../src/controller.js');
  const c = new WidgetController('w1', 'http://127.0.0.1:9/');
  c.start();
  const ws = FakeWebSocket.all.at(-1)!;
  expect(ws.url).toBe('ws://127.0.0.1:9/ws/widget');
  ws.open();
  return { c, ws };
}

describe('widget controller', () => {
  it('starts with the browser language, asks each picture once per Session, and applies live updates', async () => {
    const { c, ws } = await make();
    expect(ws.sent[0]).toEqual({ mt: 'Start', uuid: 'w1', lang: 'de-CH' });
    ws.receive(SESSION);
    ws.receive(info('ann'));
    ws.receive(info('ann', 'busy'));
    // Pictures of the cards the UI shows, once.
    expect(ws.of('GetPicture')).toEqual([]);
    c.actions.showing(['ann']);
    c.actions.showing(['ann']);
    expect(ws.of('GetPicture')).toEqual([{ mt: 'GetPicture', id: 'ann' }]);
    expect(c.state.agents[0]!.presence).toBe('busy');
    ws.receive({ mt: 'Picture', id: 'ann', url: 'data:image/jpeg;base64,AA==' });
    expect(c.state.pictures.ann).toBe('data:image/jpeg;base64,AA==');
    ws.receive({ mt: 'Picture', id: 'ann', url: 'javascript:alert(1)' });
    expect(c.state.pictures.ann).toBe('');
    // An admin save: a fresh Session, Remove, Info again → pictures are asked for again.
    ws.receive({ ...SESSION, name: 'Support' });
    ws.receive({ mt: 'Remove', id: 'ann' });
    ws.receive(info('bob'));
    expect(c.state.session!.name).toBe('Support');
    expect(c.state.agents.map((a) => a.id)).toEqual(['bob']);
    c.actions.showing(['bob']);
    expect(ws.of('GetPicture').map((m) => m.id)).toEqual(['ann', 'bob']);
    c.stop();
  });

  it('asks for at most 10 pictures a second: Show all of 1,000 cards never trips the rate limit', async () => {
    const { c, ws } = await make();
    ws.receive(SESSION);
    const ids = Array.from({ length: 35 }, (_, i) => `a${i}`);
    c.actions.showing(ids);
    expect(ws.of('GetPicture')).toHaveLength(10);
    c.actions.showing(ids);
    expect(ws.of('GetPicture')).toHaveLength(10);
    vi.advanceTimersByTime(1000);
    expect(ws.of('GetPicture')).toHaveLength(20);
    vi.advanceTimersByTime(2000);
    expect(ws.of('GetPicture').map((m) => m.id)).toEqual(ids);
    c.stop();
  });

  it('keeps what the visitor typed through a drop and a reload, and resends it with the same cid', async () => {
    const { c, ws } = await make();
    ws.receive(SESSION);
    ws.receive(info('ann'));
    c.actions.choose('ann', 'chat');
    c.actions.submitName('Vera', '');
    expect(ws.of('ChatStart')).toEqual([{ mt: 'ChatStart', dest: 'ann', dn: 'Vera' }]);
    ws.receive({ mt: 'ChatInfo', chat: 'c1', state: 'waiting' });
    c.actions.sendChat('first');
    const first = ws.of('ChatMessage')[0];
    expect(first).toMatchObject({ chat: 'c1', text: 'first' });

    ws.drop(1006);
    expect(c.state.conn).toBe('reconnecting');
    c.actions.sendChat('second');
    c.actions.setDraft('half a thought');
    c.stop();

    // A reload: a new controller from the same sessionStorage.
    const saved = JSON.parse(store.get('contact-widget:w1')!);
    expect(saved.session).toBe('tok1');
    expect(saved.chat.pending.map((p: any) => p.text)).toEqual(['first', 'second']);
    const { c: c2, ws: ws2 } = await make();
    expect(ws2.sent[0]).toEqual({ mt: 'Start', uuid: 'w1', session: 'tok1', lang: 'de-CH' });
    expect(c2.state.chat!.lines.map((l) => [l.text, l.delivery])).toEqual([
      ['first', 'sending'],
      ['second', 'sending'],
    ]);
    expect(c2.state.chat!.draft).toBe('half a thought');
    ws2.receive(SESSION);
    expect(ws2.of('ChatMessage')).toEqual([]); // not before the history says what the server has
    ws2.receive({ mt: 'ChatHistory', chat: 'c1', state: 'accepted', messages: [{ mt: 'ChatMessage', chat: 'c1', id: 'm1', from: 'visitor', dn: 'Vera', text: 'first', ts: 1, cid: first.cid }] });
    const resent = ws2.of('ChatMessage');
    expect(resent).toHaveLength(1);
    expect(resent[0].text).toBe('second');
    ws2.receive({ mt: 'ChatAck', chat: 'c1', cid: resent[0].cid, id: 'm2', ts: 2 });
    expect(c2.state.chat!.lines.map((l) => [l.text, l.delivery])).toEqual([
      ['first', 'sent'],
      ['second', 'sent'],
    ]);
    expect(JSON.parse(store.get('contact-widget:w1')!).chat.pending).toEqual([]);
    c2.stop();
  });

  it('counts an agent message unread once, even when it arrives twice; its own echo settles the line without a count', async () => {
    const { c, ws } = await make();
    ws.receive(SESSION);
    ws.receive(info('ann'));
    c.actions.choose('ann', 'chat');
    c.actions.submitName('Vera', '');
    ws.receive({ mt: 'ChatInfo', chat: 'c1', state: 'accepted', agentDn: 'Ann' });
    c.actions.sendChat('hello');
    const [sent] = ws.of('ChatMessage');
    // The visitor's own message comes back as an echo before its ack: one line, sent, nothing unread.
    ws.receive({ mt: 'ChatMessage', chat: 'c1', id: 'm1', from: 'visitor', dn: 'Vera', text: 'hello', ts: 1, cid: sent.cid });
    ws.receive({ mt: 'ChatAck', chat: 'c1', cid: sent.cid, id: 'm1', ts: 1 });
    expect(c.state.chat!.lines.map((l) => [l.text, l.delivery])).toEqual([['hello', 'sent']]);
    expect(c.state.unread).toBe(0);
    // The sidebar is closed: an agent message counts once, a repeat of it (same id) not again.
    c.actions.setExpanded(false);
    const reply = { mt: 'ChatMessage', chat: 'c1', id: 'm2', from: 'agent', dn: 'Ann', text: 'hi', ts: 2, cid: 'a1' };
    ws.receive(reply);
    ws.receive(reply);
    expect(c.state.unread).toBe(1);
    expect(c.state.chat!.lines.map((l) => l.text)).toEqual(['hello', 'hi']);
    c.actions.setExpanded(true);
    expect(c.state.unread).toBe(0);
    c.stop();
  });

  it('tells the visitor when a stored chat is gone, and hides on a fatal error without retrying', async () => {
    store.set('contact-widget:w1', JSON.stringify({ session: 'old', dn: 'Vera', chat: { id: 'c9', agent: 'ann', agentDn: 'Ann', draft: '', pending: [] } }));
    const { c, ws } = await make();
    ws.receive({ ...SESSION, session: 'fresh' });
    expect(c.state.chat!.state).toBe('lost');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    ws.receive({ mt: 'Error', code: 'unknown-widget', text: 'No such widget.', ref: 'Start' });
    ws.drop(1008);
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
    expect(c.state.conn).toBe('hidden');
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    c.stop();
  });

  it('comes back after a pause when the server rate-limited it (closed with 1008)', async () => {
    const { c, ws } = await make();
    ws.receive(SESSION);
    ws.receive({ mt: 'Error', code: 'rate-limited', text: 'Too many messages.', ref: null });
    ws.drop(1008);
    expect(c.state.conn).toBe('reconnecting');
    // Not a moment before the pause is over.
    vi.advanceTimersByTime(9_999);
    expect(FakeWebSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.all).toHaveLength(2);
    FakeWebSocket.all[1]!.open();
    expect(FakeWebSocket.all[1]!.sent[0]).toMatchObject({ mt: 'Start', session: 'tok1' });
    c.stop();
  });
});

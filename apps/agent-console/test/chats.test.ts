/** Pure chat bookkeeping: pending → sent, echoes, history merges after a reconnect. */
import { describe, expect, it } from 'vitest';
import type { ChatMessageMsg } from '@cw/protocol';
import { addPending, applyAck, applyHistory, applyMessage, newChat, pendingOf } from '../src/state/chats.js';

const msg = (id: string, from: 'visitor' | 'agent', text: string, ts: number, cid?: string): ChatMessageMsg => ({ mt: 'ChatMessage', chat: 'c1', id, from, dn: from === 'agent' ? 'Ann' : 'Vera', text, ts, ...(cid ? { cid } : {}) });

describe('chat lines', () => {
  it('marks an outgoing message sent on ChatAck and ignores the echo afterwards', () => {
    let c = addPending(newChat('c1', { dn: 'Vera' }, null), 'k1', 'Hi', 'Ann', 100);
    expect(pendingOf(c)).toHaveLength(1);
    c = applyAck(c, 'k1', 'm1', 105);
    expect(c.lines).toEqual([expect.objectContaining({ id: 'm1', delivery: 'sent', ts: 105 })]);
    const r = applyMessage(c, msg('m1', 'agent', 'Hi', 105, 'k1'));
    expect(r.added).toBe(false);
    expect(r.chat.lines).toHaveLength(1);
  });

  it('settles a pending line by its echo when the echo comes before the ack', () => {
    let c = addPending(newChat('c1', { dn: 'Vera' }, null), 'k1', 'Hi', 'Ann', 100);
    const r = applyMessage(c, msg('m1', 'agent', 'Hi', 101, 'k1'));
    expect(r.added).toBe(false);
    c = applyAck(r.chat, 'k1', 'm1', 101);
    expect(c.lines).toEqual([expect.objectContaining({ id: 'm1', delivery: 'sent' })]);
  });

  it('adds visitor messages once, before still-pending lines, and clears the typing mark', () => {
    let c = { ...newChat('c1', { dn: 'Vera' }, null), visitorTyping: true };
    c = addPending(c, 'k1', 'mine', 'Ann', 100);
    const r = applyMessage(c, msg('m1', 'visitor', 'theirs', 101));
    expect(r.added).toBe(true);
    expect(r.chat.visitorTyping).toBe(false);
    expect(r.chat.lines.map((l) => l.text)).toEqual(['theirs', 'mine']);
    expect(applyMessage(r.chat, msg('m1', 'visitor', 'theirs', 101)).added).toBe(false);
  });

  it('takes the server history, keeps unacked lines for resending, and settles those the server stored', () => {
    let c = newChat('c1', { dn: 'Vera' }, null);
    c = applyMessage(c, msg('m1', 'visitor', 'one', 1)).chat;
    c = addPending(c, 'k1', 'stored but ack lost', 'Ann', 2);
    c = addPending(c, 'k2', 'never arrived', 'Ann', 3);
    c = { ...c, stale: true };
    const merged = applyHistory(c, [msg('m1', 'visitor', 'one', 1), msg('m2', 'agent', 'stored but ack lost', 2, 'k1'), msg('m3', 'visitor', 'while away', 4)]);
    expect(merged.stale).toBe(false);
    expect(merged.lines.map((l) => [l.text, l.delivery])).toEqual([
      ['one', undefined],
      ['stored but ack lost', 'sent'],
      ['while away', undefined],
      ['never arrived', 'sending'],
    ]);
    expect(pendingOf(merged).map((l) => l.cid)).toEqual(['k2']);
  });
});

/**
 * The shared transcript and unsent-message bookkeeping, from both sides: the
 * widget writes as `visitor`, the console as `agent`. Pending → sent, echoes,
 * duplicates, history merges after a reconnect, and what is resent.
 */
import { describe, expect, it } from 'vitest';
import type { ChatMessageMsg } from '@cw/protocol';
import { addMessage, addPending, applyAck, mergeHistory, type TranscriptLine } from '../src/transcript.js';
import { newCid, resendUnsent, unsentFrom, unsentOf, type OutgoingChatMessage } from '../src/unsent.js';

const msg = (id: string, from: 'visitor' | 'agent', text: string, ts = 1000, cid?: string): ChatMessageMsg => ({
  mt: 'ChatMessage',
  chat: 'c1',
  id,
  from,
  dn: from === 'agent' ? 'Ann' : 'Vera',
  text,
  ts,
  ...(cid ? { cid } : {}),
});
const add = (lines: TranscriptLine[], m: ChatMessageMsg) => addMessage(lines, m).lines;
const view = (lines: TranscriptLine[]) => lines.map((l) => [l.text, l.delivery]);

describe('transcript', () => {
  it('an ack marks the pending line sent; the echo afterwards adds nothing (visitor side)', () => {
    let lines = addPending([], { cid: 'k1', text: 'Hi', ts: 1 }, 'visitor', 'Vera');
    lines = applyAck(lines, { mt: 'ChatAck', chat: 'c1', cid: 'k1', id: 'm1', ts: 5 });
    expect(lines).toEqual([expect.objectContaining({ id: 'm1', delivery: 'sent', ts: 5, key: 'k1' })]);
    const echo = addMessage(lines, msg('m1', 'visitor', 'Hi', 5, 'k1'));
    expect(echo.added).toBe(false);
    expect(echo.lines).toHaveLength(1);
    lines = add(lines, msg('m2', 'agent', 'Hello'));
    const again = addMessage(lines, msg('m2', 'agent', 'Hello'));
    expect(again.added).toBe(false);
    expect(again.lines.map((l) => l.text)).toEqual(['Hi', 'Hello']);
  });

  it('the echo before the ack settles the pending line; the ack then changes nothing more (agent side)', () => {
    const lines = addPending([], { cid: 'k1', text: 'Hi', ts: 100 }, 'agent', 'Ann');
    const echo = addMessage(lines, msg('m1', 'agent', 'Hi', 101, 'k1'));
    expect(echo.added).toBe(false);
    const acked = applyAck(echo.lines, { mt: 'ChatAck', chat: 'c1', cid: 'k1', id: 'm1', ts: 101 });
    expect(acked).toEqual([expect.objectContaining({ id: 'm1', delivery: 'sent' })]);
  });

  it("someone else's message with the same cid is not taken for an own line", () => {
    const lines = addPending([], { cid: 'k1', text: 'mine', ts: 1 }, 'agent', 'Ann');
    const r = addMessage(lines, msg('m1', 'visitor', 'theirs', 2, 'k1'));
    expect(r.added).toBe(true);
    expect(view(r.lines)).toEqual([
      ['theirs', undefined],
      ['mine', 'sending'],
    ]);
  });

  it('a message goes before lines still sending (their place is not known yet)', () => {
    let lines = addPending([], { cid: 'k1', text: 'mine', ts: 100 }, 'agent', 'Ann');
    const r = addMessage(lines, msg('m1', 'visitor', 'theirs', 101));
    expect(r.added).toBe(true);
    lines = r.lines;
    expect(lines.map((l) => l.text)).toEqual(['theirs', 'mine']);
    expect(addMessage(lines, msg('m1', 'visitor', 'theirs', 101)).added).toBe(false);
  });

  it('history plus pending: what the server stored is sent, the rest stays to be resent (visitor side)', () => {
    let lines = addPending([], { cid: 'k1', text: 'stored already', ts: 1 }, 'visitor', 'Vera');
    lines = addPending(lines, { cid: 'k2', text: 'never arrived', ts: 2 }, 'visitor', 'Vera');
    const merged = mergeHistory(lines, [msg('m1', 'visitor', 'stored already', 1, 'k1'), msg('m2', 'agent', 'answer'), msg('m2', 'agent', 'answer')]);
    expect(view(merged)).toEqual([
      ['stored already', 'sent'],
      ['answer', undefined],
      ['never arrived', 'sending'],
    ]);
    expect(unsentOf(merged).map((u) => u.cid)).toEqual(['k2']);
  });

  it('takes the server history, keeps unacked lines, settles those stored, and keeps the sent mark of acked ones (agent side)', () => {
    let lines = add([], msg('m0', 'agent', 'acked before', 0));
    lines = addPending(lines, { cid: 'k0', text: 'acked before', ts: 0 }, 'agent', 'Ann').slice(1);
    lines = applyAck(lines, { mt: 'ChatAck', chat: 'c1', cid: 'k0', id: 'm0', ts: 0 });
    lines = add(lines, msg('m1', 'visitor', 'one', 1));
    lines = addPending(lines, { cid: 'k1', text: 'stored but ack lost', ts: 2 }, 'agent', 'Ann');
    lines = addPending(lines, { cid: 'k2', text: 'never arrived', ts: 3 }, 'agent', 'Ann');
    // A history without cids (an older server) still keeps the acked line's mark by its id.
    const merged = mergeHistory(lines, [msg('m0', 'agent', 'acked before', 0), msg('m1', 'visitor', 'one', 1), msg('m2', 'agent', 'stored but ack lost', 2, 'k1'), msg('m3', 'visitor', 'while away', 4)]);
    expect(view(merged)).toEqual([
      ['acked before', 'sent'],
      ['one', undefined],
      ['stored but ack lost', 'sent'],
      ['while away', undefined],
      ['never arrived', 'sending'],
    ]);
    expect(unsentOf(merged).map((u) => u.cid)).toEqual(['k2']);
  });

  it('a resent message that the history showed without its cid stays one line after its ack', () => {
    const lines = mergeHistory(addPending([], { cid: 'k1', text: 'Hi', ts: 1 }, 'visitor', 'Vera'), [msg('m1', 'visitor', 'Hi')]);
    expect(lines).toHaveLength(2);
    const after = applyAck(lines, { mt: 'ChatAck', chat: 'c1', cid: 'k1', id: 'm1', ts: 5 });
    expect(after.map((l) => l.id)).toEqual(['m1']);
  });

  it('an ack for a cid this client does not hold changes nothing', () => {
    const lines = add([], msg('m1', 'visitor', 'Hi', 1, 'k9'));
    expect(applyAck(lines, { mt: 'ChatAck', chat: 'c1', cid: 'k9', id: 'm7', ts: 2 })).toBe(lines);
  });

  it('text stays text (no HTML interpretation happens in the model)', () => {
    const lines = add([], msg('m9', 'agent', '<img src=x onerror=alert(1)>'));
    expect(lines[0]!.text).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('unsent messages', () => {
  it('cids are unique and carry the prefix', () => {
    const cids = new Set(Array.from({ length: 1000 }, () => newCid('v')));
    expect(cids.size).toBe(1000);
    for (const cid of cids) expect(cid).toMatch(/^v[0-9a-z]+$/);
  });

  it('resends every unacknowledged line of a chat with its original cid, in order', () => {
    let lines = addPending([], { cid: 'k1', text: 'one', ts: 1 }, 'agent', 'Ann');
    lines = addPending(lines, { cid: 'k2', text: 'two', ts: 2 }, 'agent', 'Ann');
    lines = applyAck(lines, { mt: 'ChatAck', chat: 'c1', cid: 'k1', id: 'm1', ts: 1 });
    lines = addPending(lines, { cid: 'k3', text: 'three', ts: 3 }, 'agent', 'Ann');
    const sent: OutgoingChatMessage[] = [];
    resendUnsent('c1', lines, (m) => sent.push(m));
    expect(sent).toEqual([
      { mt: 'ChatMessage', chat: 'c1', cid: 'k2', text: 'two' },
      { mt: 'ChatMessage', chat: 'c1', cid: 'k3', text: 'three' },
    ]);
  });

  it('reads back only well-formed stored entries', () => {
    expect(unsentFrom([{ cid: 'k1', text: 'a', ts: 1 }, { cid: '', text: 'b', ts: 2 }, { cid: 'k3', text: 3, ts: 3 }, null, 'x', { cid: 'k4', text: 'd', ts: 4, extra: true }])).toEqual([
      { cid: 'k1', text: 'a', ts: 1 },
      { cid: 'k4', text: 'd', ts: 4 },
    ]);
    expect(unsentFrom({ cid: 'k1' })).toEqual([]);
    expect(unsentFrom(undefined)).toEqual([]);
  });
});

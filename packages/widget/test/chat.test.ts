import { describe, expect, it } from 'vitest';
import { addMessage, applyAck, mergeHistory } from '../src/chat.js';
import type { ChatLine } from '../src/model.js';

const msg = (id: string, from: 'visitor' | 'agent', text: string, cid?: string) => ({ mt: 'ChatMessage' as const, chat: 'c1', id, from, dn: from, text, ts: 1000, ...(cid ? { cid } : {}) });

describe('chat bookkeeping', () => {
  it('an ack marks the pending line sent, an echo does not duplicate it', () => {
    let lines: ChatLine[] = [{ key: 'k1', cid: 'k1', from: 'visitor', dn: 'Me', text: 'Hi', ts: 1, status: 'sending' }];
    lines = applyAck(lines, { mt: 'ChatAck', chat: 'c1', cid: 'k1', id: 'm1', ts: 5 });
    expect(lines[0]).toMatchObject({ id: 'm1', status: 'sent', ts: 5 });
    lines = addMessage(lines, msg('m1', 'visitor', 'Hi', 'k1'));
    expect(lines).toHaveLength(1);
    lines = addMessage(lines, msg('m2', 'agent', 'Hello'));
    lines = addMessage(lines, msg('m2', 'agent', 'Hello'));
    expect(lines.map((l) => l.text)).toEqual(['Hi', 'Hello']);
  });

  it('history plus pending: what the server has is not resent, the rest is', () => {
    const pending = [
      { cid: 'k1', text: 'stored already', ts: 1 },
      { cid: 'k2', text: 'never arrived', ts: 2 },
    ];
    const { lines, unsent } = mergeHistory([msg('m1', 'visitor', 'stored already', 'k1'), msg('m2', 'agent', 'answer')], pending, 'Me');
    expect(unsent.map((u) => u.cid)).toEqual(['k2']);
    expect(lines.map((l) => [l.text, l.status])).toEqual([
      ['stored already', 'sent'],
      ['answer', undefined],
      ['never arrived', 'sending'],
    ]);
  });

  it('a resent message already in the history (without cid) stays one line after its ack', () => {
    const { lines } = mergeHistory([msg('m1', 'visitor', 'Hi')], [{ cid: 'k1', text: 'Hi', ts: 1 }], 'Me');
    expect(lines).toHaveLength(2);
    const after = applyAck(lines, { mt: 'ChatAck', chat: 'c1', cid: 'k1', id: 'm1', ts: 5 });
    expect(after.map((l) => l.id)).toEqual(['m1']);
  });

  it('text stays text (no HTML interpretation happens in the model)', () => {
    const lines = addMessage([], msg('m9', 'agent', '<img src=x onerror=alert(1)>'));
    expect(lines[0]!.text).toBe('<img src=x onerror=alert(1)>');
  });
});

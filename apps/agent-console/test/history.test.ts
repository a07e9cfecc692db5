/** History (issue 15): chats and calls merged per visitor, filters, a search without match, follow-up links. */
import { describe, expect, it } from 'vitest';
import type { CallLogEntry, ChatListItem } from '@cw/protocol';
import { filterHistory, followUp, mergeHistory, periodStart, sameVisitor, talkTime, visitorPhone } from '../src/state/history.js';

const DAY = 86_400_000;
const now = new Date(2026, 5, 15, 12, 0).getTime();

function chat(id: string, over: Partial<ChatListItem> = {}): ChatListItem {
  return { id, widgetUuid: 'w', widgetName: 'Shop', visitorDn: 'Vera', visitorEmail: 'vera@example.com', dest: 'ann', state: 'closed', agentUserId: 'u1', agentDn: 'Ann', closedBy: 'visitor', createdAt: now - 2 * DAY, closedAt: now - 2 * DAY + 60_000, preview: 'thanks', ...over };
}
function call(id: string, over: Partial<CallLogEntry> = {}): CallLogEntry {
  return { id, widgetUuid: 'w', dest: 'ann', visitorDn: 'Max', video: false, agentUserId: null, startedAt: now - DAY, answeredAt: null, endedAt: now - DAY + 30_000, cause: 'no-answer', outcome: 'missed', widgetName: 'Shop', visitorEmail: '', ...over };
}

const entries = mergeHistory(
  [chat('c1'), chat('c2', { visitorDn: 'Walt', visitorEmail: '', closedAt: now - 40 * DAY, createdAt: now - 40 * DAY })],
  [
    call('k1'),
    call('k2', { visitorDn: 'Vera', visitorEmail: 'vera@example.com', agentUserId: 'u1', answeredAt: now - 3600_000, endedAt: now - 3600_000 + 75_000, startedAt: now - 3600_000 - 5000, cause: 'hangup', outcome: 'answered', visitor: { page: { url: 'https://shop.example/cart', title: 'Cart' } } }),
    call('k3', { cause: 'rejected', outcome: 'declined', startedAt: now - 3 * DAY, visitorDn: '+49 30 1234567' }),
  ],
);

describe('History', () => {
  it('merges chats and calls, newest first', () => {
    expect(entries.map((e) => e.id)).toEqual(['call:k2', 'call:k1', 'chat:c1', 'call:k3', 'chat:c2']);
  });

  it('filters by kind: chats, calls, missed calls (missed, declined, not reached)', () => {
    const f = (kind: 'all' | 'chats' | 'calls' | 'missed') => filterHistory(entries, { kind, period: 'any', query: '', now }).map((e) => e.id);
    expect(f('all')).toHaveLength(5);
    expect(f('chats')).toEqual(['chat:c1', 'chat:c2']);
    expect(f('calls')).toEqual(['call:k2', 'call:k1', 'call:k3']);
    expect(f('missed')).toEqual(['call:k1', 'call:k3']);
  });

  it('filters by period from local midnight', () => {
    expect(periodStart('any', now)).toBeUndefined();
    expect(periodStart('today', now)).toBe(new Date(2026, 5, 15).getTime());
    expect(periodStart('7d', now)).toBe(new Date(2026, 5, 9).getTime());
    expect(filterHistory(entries, { kind: 'all', period: 'today', query: '', now }).map((e) => e.id)).toEqual(['call:k2']);
    expect(filterHistory(entries, { kind: 'all', period: '30d', query: '', now }).map((e) => e.id)).not.toContain('chat:c2');
  });

  it('a search with no match shows nothing; calls are searched by name, e-mail, widget and page', () => {
    // chats come back from the server already searched (here: none match)
    const searched = mergeHistory([], entries.filter((e) => e.kind === 'call').map((e) => (e as { call: CallLogEntry }).call));
    expect(filterHistory(searched, { kind: 'all', period: 'any', query: 'zzz-nothing', now })).toEqual([]);
    expect(filterHistory(searched, { kind: 'all', period: 'any', query: 'CART', now }).map((e) => e.id)).toEqual(['call:k2']);
    expect(filterHistory(searched, { kind: 'all', period: 'any', query: 'max', now }).map((e) => e.id)).toEqual(['call:k1']);
  });

  it('groups by visitor: e-mail when known, else the name; an anonymous "Visitor" has no group', () => {
    const k2 = entries.find((e) => e.id === 'call:k2')!;
    expect(sameVisitor(entries, k2).map((e) => e.id)).toEqual(['chat:c1']);
    const anon = mergeHistory([], [call('a1', { visitorDn: 'Visitor' }), call('a2', { visitorDn: 'Visitor' })]);
    expect(sameVisitor(anon, anon[0]!)).toEqual([]);
  });

  it('talk time only for answered calls', () => {
    expect(talkTime({ answeredAt: 1000, endedAt: 76_000 })).toBe(75_000);
    expect(talkTime({ answeredAt: null, endedAt: 76_000 })).toBeNull();
    expect(talkTime({ answeredAt: 1000, endedAt: null })).toBeNull();
  });

  it('follow-up links are encoded: no hidden headers from an address, tel: only for a name written as a phone number', () => {
    const mail = { subject: 'Your call to Shop & Co', body: 'Hello Max,\n?bcc=x' };
    expect(followUp(call('x', { visitorEmail: 'max@example.com' }), mail).mail).toBe('mailto:max@example.com?subject=Your%20call%20to%20Shop%20%26%20Co&body=Hello%20Max%2C%0A%3Fbcc%3Dx');
    expect(followUp(call('x', { visitorEmail: 'max@example.com?bcc=evil@example.com' }), mail).mail).toBeNull();
    expect(followUp(call('x'), mail)).toEqual({ mail: null, tel: null });
    expect(followUp(call('x', { visitorDn: '+49 30 1234567' }), mail).tel).toBe('tel:+49301234567');
    expect(visitorPhone('Max 123456')).toBeNull();
    expect(visitorPhone('12')).toBeNull();
    expect(visitorPhone('(030) 123-4567')).toBe('(030) 123-4567');
    expect(visitorPhone('030 123-4567')).toBe('030 123-4567');
  });
});

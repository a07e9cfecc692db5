/**
 * History (issue 15): the agent's closed chats and calls in one list, per
 * visitor, with filters. Pure functions over what GET /api/chats and
 * GET /api/calls answer, so the view only renders.
 */
import { mailUrl, telUrl } from '@cw/client-core';
import type { CallLogEntry, CallOutcome, ChatListItem } from '@cw/protocol';

export type HistoryKind = 'all' | 'chats' | 'calls' | 'missed';
export type HistoryPeriod = 'any' | 'today' | '7d' | '30d';

export type HistoryEntry =
  | { kind: 'chat'; id: string; ts: number; name: string; email: string; widget: string | null; chat: ChatListItem }
  | { kind: 'call'; id: string; ts: number; name: string; email: string; widget: string | null; call: CallLogEntry };

export const HISTORY_KINDS: readonly HistoryKind[] = ['all', 'chats', 'calls', 'missed'];
export const HISTORY_PERIODS: readonly HistoryPeriod[] = ['any', 'today', '7d', '30d'];

/** Unanswered calls the agent may want to follow up: nobody took them. */
export function isMissed(outcome: CallOutcome): boolean {
  return outcome === 'missed' || outcome === 'declined' || outcome === 'busy' || outcome === 'unavailable' || outcome === 'failed';
}

/** One list, newest first: chats by when they closed, calls by when they started. */
export function mergeHistory(chats: readonly ChatListItem[], calls: readonly CallLogEntry[]): HistoryEntry[] {
  const out: HistoryEntry[] = [
    ...chats.map((c) => ({ kind: 'chat' as const, id: `chat:${c.id}`, ts: c.closedAt ?? c.createdAt, name: c.visitorDn, email: c.visitorEmail, widget: c.widgetName, chat: c })),
    ...calls.map((c) => ({ kind: 'call' as const, id: `call:${c.id}`, ts: c.startedAt, name: c.visitorDn, email: c.visitorEmail, widget: c.widgetName, call: c })),
  ];
  return out.sort((a, b) => b.ts - a.ts || a.id.localeCompare(b.id));
}

/** The start of the period in local time, or undefined for any time. */
export function periodStart(period: HistoryPeriod, now: number): number | undefined {
  if (period === 'any') return undefined;
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  if (period === '7d') d.setDate(d.getDate() - 6);
  if (period === '30d') d.setDate(d.getDate() - 29);
  return d.getTime();
}

/**
 * Text the search looks in for a call (the server searches chats: names,
 * e-mail and messages). Lower case.
 */
function callText(c: CallLogEntry): string {
  return [c.visitorDn, c.visitorEmail, c.widgetName ?? '', c.visitor?.page?.url ?? '', c.visitor?.page?.title ?? ''].join('\n').toLowerCase();
}

/**
 * What the list shows: the kind and period chosen, and for calls the search
 * text (chats come back from the server already searched). A search with no
 * match gives an empty list — never the unfiltered one.
 */
export function filterHistory(entries: readonly HistoryEntry[], f: { kind: HistoryKind; period: HistoryPeriod; query: string; now: number }): HistoryEntry[] {
  const from = periodStart(f.period, f.now);
  const q = f.query.trim().toLowerCase();
  return entries.filter((e) => {
    if (from !== undefined && e.ts < from) return false;
    if (f.kind === 'chats' && e.kind !== 'chat') return false;
    if (f.kind === 'calls' && e.kind !== 'call') return false;
    if (f.kind === 'missed' && !(e.kind === 'call' && isMissed(e.call.outcome))) return false;
    if (q && e.kind === 'call' && !callText(e.call).includes(q)) return false;
    return true;
  });
}

/** Who an entry is with, for "other contacts with this visitor": the e-mail when known, else the name. */
export function visitorKey(e: Pick<HistoryEntry, 'name' | 'email'>): string {
  return e.email ? `e:${e.email.toLowerCase()}` : `n:${e.name.trim().toLowerCase()}`;
}

/** The other entries with the same visitor (not anonymous "Visitor"s), newest first. */
export function sameVisitor(entries: readonly HistoryEntry[], e: HistoryEntry, anonymous: readonly string[] = ['visitor', '']): HistoryEntry[] {
  if (!e.email && anonymous.includes(e.name.trim().toLowerCase())) return [];
  const key = visitorKey(e);
  return entries.filter((x) => x.id !== e.id && visitorKey(x) === key);
}

/** How long the call was connected, in ms; null when it was not answered (or has not ended). */
export function talkTime(c: Pick<CallLogEntry, 'answeredAt' | 'endedAt'>): number | null {
  return c.answeredAt !== null && c.endedAt !== null ? Math.max(0, c.endedAt - c.answeredAt) : null;
}

/**
 * A phone number the visitor is known by: the name they gave, when it is
 * written as a phone number (some widgets ask for "name or phone"). Only
 * then is "Call back" offered; never a guess from other text.
 */
export function visitorPhone(name: string): string | null {
  const n = name.trim();
  if (!/^\+?[0-9(][0-9 ()./-]{4,}[0-9]$/.test(n)) return null;
  return (n.match(/[0-9]/g) ?? []).length >= 6 ? n : null;
}

/** The follow-up links of a call: a reply by e-mail when an address is known, a call back when a phone is. */
export function followUp(c: CallLogEntry, mail: { subject: string; body: string }): { mail: string | null; tel: string | null } {
  const phone = visitorPhone(c.visitorDn);
  return { mail: c.visitorEmail ? mailUrl(c.visitorEmail, mail) : null, tel: phone ? telUrl(phone) : null };
}

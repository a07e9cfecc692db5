/**
 * The chat transcript as both clients keep it: the lines of one chat, merged
 * from what this client wrote (pending until ChatAck), the server's
 * ChatMessage echoes, and a ChatHistory after a (re)connect — without
 * duplicates. Pure functions over immutable arrays: no socket, no DOM.
 * The widget writes as `visitor`, the console as `agent`.
 */
import type { ChatAckMsg, ChatMessageMsg } from '@cw/protocol';
import type { Unsent } from './unsent.js';

export type Speaker = ChatMessageMsg['from'];

/** One line of a transcript. */
export interface TranscriptLine {
  /** stable render key: the server id, or the cid for a line this client wrote */
  key: string;
  /** the server's id, once the server stored the message */
  id?: string;
  /** the client message id (spec 2.3) when the line has one */
  cid?: string;
  from: Speaker;
  dn: string;
  text: string;
  ts: number;
  /** only on lines this client wrote: `sending` until the server acknowledged it */
  delivery?: 'sending' | 'sent';
}

/** A line for a message from the server. */
function lineOf(m: ChatMessageMsg): TranscriptLine {
  return { key: m.id, id: m.id, cid: m.cid, from: m.from, dn: m.dn, text: m.text, ts: m.ts };
}

/** A line this client wrote and the server has not acknowledged yet. */
export function pendingLine(u: Unsent, from: Speaker, dn: string): TranscriptLine {
  return { key: u.cid, cid: u.cid, from, dn, text: u.text, ts: u.ts, delivery: 'sending' };
}

/** Adds a line this client wrote, at the end. */
export function addPending(lines: TranscriptLine[], u: Unsent, from: Speaker, dn: string): TranscriptLine[] {
  return [...lines, pendingLine(u, from, dn)];
}

/** The index of this client's own line with `cid` (written as `from`, when given), or -1. */
function ownIndex(lines: TranscriptLine[], cid: string, from?: Speaker): number {
  return lines.findIndex((l) => l.cid === cid && l.delivery !== undefined && (from === undefined || l.from === from));
}

/**
 * Adds a ChatMessage from the server; `added` says whether it is a new line
 * (so the caller may count it unread). A message it already has is ignored;
 * the echo of this client's own message (same cid) settles that line.
 */
export function addMessage(lines: TranscriptLine[], m: ChatMessageMsg): { lines: TranscriptLine[]; added: boolean } {
  if (lines.some((l) => l.id === m.id)) return { lines, added: false };
  const own = m.cid ? ownIndex(lines, m.cid, m.from) : -1;
  if (own >= 0) return { lines: lines.map((l, i) => (i === own ? { ...l, id: m.id, ts: m.ts, delivery: 'sent' } : l)), added: false };
  // Messages arrive in the server's order; only lines still sending (their place not yet known) stay after them.
  let at = lines.length;
  while (at > 0 && lines[at - 1]!.delivery === 'sending') at--;
  return { lines: [...lines.slice(0, at), lineOf(m), ...lines.slice(at)], added: true };
}

/** Marks this client's line with the ack's cid as stored by the server. */
export function applyAck(lines: TranscriptLine[], a: ChatAckMsg): TranscriptLine[] {
  const own = ownIndex(lines, a.cid);
  if (own < 0) return lines;
  // A resent message that a history (without cids) already showed: keep that one line.
  if (lines.some((l, i) => i !== own && l.id === a.id)) return lines.filter((_, i) => i !== own);
  return lines.map((l, i) => (i === own ? { ...l, id: a.id, ts: a.ts, delivery: 'sent' } : l));
}

/**
 * Replaces the transcript with the server's full list (ChatHistory). This
 * client's lines that the history holds (matched by cid, or by id when it
 * had been acknowledged) keep their `sent` mark; those it does not hold stay
 * at the end, still sending, to be resent with the same cid.
 */
export function mergeHistory(lines: TranscriptLine[], history: ChatMessageMsg[]): TranscriptLine[] {
  const ownCids = new Set(lines.flatMap((l) => (l.delivery && l.cid ? [l.cid] : [])));
  const sentIds = new Set(lines.flatMap((l) => (l.delivery === 'sent' && l.id ? [l.id] : [])));
  const out: TranscriptLine[] = [];
  const ids = new Set<string>();
  const storedCids = new Set<string>();
  for (const m of history) {
    if (ids.has(m.id)) continue;
    ids.add(m.id);
    if (m.cid) storedCids.add(m.cid);
    const mine = (m.cid !== undefined && ownCids.has(m.cid)) || sentIds.has(m.id);
    out.push(mine ? { ...lineOf(m), delivery: 'sent' } : lineOf(m));
  }
  for (const l of lines) if (l.delivery === 'sending' && !(l.cid && storedCids.has(l.cid))) out.push(l);
  return out;
}

/**
 * Pure chat bookkeeping: merging acks, echoes and history into the lines the
 * visitor sees, without duplicates. No socket, no DOM: unit-tested.
 */
import type { ChatAckMsg, ChatMessageMsg } from '@cw/protocol';
import type { ChatLine } from './model.js';

/** A fresh client id for a message (unique per tab). */
export function newCid(): string {
  const r = Math.random().toString(36).slice(2, 10);
  return `v${Date.now().toString(36)}${r}`;
}

/** A line for a message from the server. */
export function lineOf(m: ChatMessageMsg): ChatLine {
  return { key: m.id, id: m.id, cid: m.cid, from: m.from, dn: m.dn, text: m.text, ts: m.ts, status: m.from === 'visitor' ? 'sent' : undefined };
}

/** Adds a server message, or updates the visitor's own pending line it echoes. */
export function addMessage(lines: ChatLine[], m: ChatMessageMsg): ChatLine[] {
  if (lines.some((l) => l.id === m.id)) return lines;
  if (m.cid) {
    const i = lines.findIndex((l) => l.cid === m.cid && l.from === m.from);
    if (i >= 0) return lines.map((l, j) => (j === i ? { ...l, id: m.id, ts: m.ts, status: 'sent', key: l.key } : l));
  }
  return [...lines, lineOf(m)];
}

/** Marks the visitor's line with `cid` as stored by the server. */
export function applyAck(lines: ChatLine[], a: ChatAckMsg): ChatLine[] {
  // A resent message the history already showed (history lines carry no cid): keep one line.
  if (lines.some((l) => l.id === a.id && l.cid !== a.cid)) return lines.filter((l) => !(l.cid === a.cid && l.id !== a.id));
  return lines.map((l) => (l.cid === a.cid ? { ...l, id: a.id, ts: a.ts, status: 'sent' } : l));
}

/**
 * Rebuilds the lines from a ChatHistory, then appends what the visitor typed
 * that the history does not hold yet (to be resent with the same cid).
 */
export function mergeHistory(history: ChatMessageMsg[], pending: { cid: string; text: string; ts: number }[], dn: string): { lines: ChatLine[]; unsent: { cid: string; text: string; ts: number }[] } {
  let lines: ChatLine[] = [];
  for (const m of history) lines = addMessage(lines, m);
  const cids = new Set(lines.map((l) => l.cid).filter(Boolean));
  const unsent = pending.filter((p) => !cids.has(p.cid));
  for (const p of unsent) lines.push({ key: p.cid, cid: p.cid, from: 'visitor', dn, text: p.text, ts: p.ts, status: 'sending' });
  return { lines, unsent };
}

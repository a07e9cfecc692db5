/**
 * Unacknowledged outgoing chat messages, kept in sessionStorage per user so
 * that a reload (even while offline) does not lose what the agent wrote:
 * after the reload they are resent with their original cid, so the server
 * stores each at most once.
 */
import type { Chat } from './chats.js';

export interface PendingEntry {
  cid: string;
  text: string;
  ts: number;
}

const key = (userId: string) => `cw.console.pending.${userId}`;

export function loadPending(userId: string): Record<string, PendingEntry[]> {
  try {
    const raw = sessionStorage.getItem(key(userId));
    const v = raw ? (JSON.parse(raw) as unknown) : null;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, PendingEntry[]>) : {};
  } catch {
    return {};
  }
}

/** Stores what is still "sending" in open chats (or clears the entry when nothing is). */
export function savePending(userId: string, chats: Chat[]): void {
  const out: Record<string, PendingEntry[]> = {};
  for (const c of chats) {
    if (c.phase !== 'open') continue;
    const p = c.lines.filter((l) => l.delivery === 'sending').map((l) => ({ cid: l.cid!, text: l.text, ts: l.ts }));
    if (p.length) out[c.id] = p;
  }
  try {
    if (Object.keys(out).length) sessionStorage.setItem(key(userId), JSON.stringify(out));
    else sessionStorage.removeItem(key(userId));
  } catch {
    /* storage disabled or full: pending lines live in memory only */
  }
}

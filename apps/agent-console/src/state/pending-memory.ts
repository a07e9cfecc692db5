/**
 * Unacknowledged outgoing chat messages, kept in sessionStorage per user so
 * that a reload (even while offline) does not lose what the agent wrote:
 * after the reload they are resent with their original cid, so the server
 * stores each at most once. What is unsent, and how it is read back, is
 * client-core's (the same as the widget's); this file only says where.
 */
import { readStored, unsentFrom, unsentOf, writeStored, type Unsent } from '@cw/client-core';
import type { Chat } from './chats.js';

const key = (userId: string) => `cw.console.pending.${userId}`;

/** The unsent messages a reload left, per chat id. */
export function loadPending(userId: string): Record<string, Unsent[]> {
  const v = readStored('sessionStorage', key(userId));
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, Unsent[]> = {};
  for (const [chat, list] of Object.entries(v)) {
    const unsent = unsentFrom(list);
    if (unsent.length) out[chat] = unsent;
  }
  return out;
}

/** Stores what is still "sending" in open chats (or clears the entry when nothing is). */
export function savePending(userId: string, chats: Chat[]): void {
  const out: Record<string, Unsent[]> = {};
  for (const c of chats) {
    if (c.phase !== 'open') continue;
    const unsent = unsentOf(c.lines);
    if (unsent.length) out[c.id] = unsent;
  }
  writeStored('sessionStorage', key(userId), Object.keys(out).length ? out : undefined);
}

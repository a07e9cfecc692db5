/**
 * Client message ids and the messages not yet acknowledged (spec 2.3): a
 * chat message keeps its cid until the server's ChatAck, survives a drop
 * and a reload (the caller stores `unsentOf` in sessionStorage and reads it
 * back with `unsentFrom`), and is resent with the same cid, so the server
 * stores it once.
 */
import type { VisitorInbound } from '@cw/protocol';
import type { TranscriptLine } from './transcript.js';

/** An outgoing chat message the server has not acknowledged yet. */
export interface Unsent {
  cid: string;
  text: string;
  ts: number;
}

/** The ChatMessage both channels accept (the same shape on the visitor and the agent channel). */
export type OutgoingChatMessage = Extract<VisitorInbound, { mt: 'ChatMessage' }>;

let seq = 0;

/** A fresh client message id, unique per tab; `prefix` tells the clients apart in logs (`v` widget, `a` console). */
export function newCid(prefix: string): string {
  seq += 1;
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}${seq.toString(36)}`;
}

/** This client's lines the server has not acknowledged, in order. */
export function unsentOf(lines: TranscriptLine[]): Unsent[] {
  return lines.flatMap((l) => (l.delivery === 'sending' && l.cid ? [{ cid: l.cid, text: l.text, ts: l.ts }] : []));
}

/** Reads stored unsent messages back; anything that is not one (an old format, a damaged store) is left out. */
export function unsentFrom(v: unknown): Unsent[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((u: unknown) => {
    if (!u || typeof u !== 'object') return [];
    const { cid, text, ts } = u as Record<string, unknown>;
    return typeof cid === 'string' && cid && typeof text === 'string' && typeof ts === 'number' ? [{ cid, text, ts }] : [];
  });
}

/** Sends every unacknowledged line of a chat again, with its original cid. */
export function resendUnsent(chat: string, lines: TranscriptLine[], send: (m: OutgoingChatMessage) => unknown): void {
  for (const u of unsentOf(lines)) send({ mt: 'ChatMessage', chat, cid: u.cid, text: u.text });
}

/**
 * Pure chat bookkeeping for the console: messages with delivery state,
 * acks, echoes, history merges after a reconnect. No DOM, no socket — the
 * store feeds these functions and the tests call them directly.
 */
import type { ChatMessageMsg } from '@cw/protocol';

export type Delivery = 'sending' | 'sent';

/** One line of a conversation as the console shows it. */
export interface ChatLine {
  /** server id once known; for a pending outgoing line, `cid:<cid>` */
  key: string;
  id: string | null;
  cid: string | null;
  from: 'visitor' | 'agent' | 'system';
  dn: string;
  text: string;
  ts: number;
  /** only for this console's own outgoing lines */
  delivery?: Delivery;
}

export type ChatPhase = 'open' | 'closed';

/** An accepted conversation on this console. */
export interface Chat {
  id: string;
  visitor: { dn: string; email?: string };
  widget: { uuid: string; name: string } | null;
  lines: ChatLine[];
  phase: ChatPhase;
  closedBy?: 'visitor' | 'agent' | 'system';
  unread: number;
  visitorTyping: boolean;
  /** set on reconnect until the server confirms the chat with ChatHistory */
  stale: boolean;
}

/** Creates a chat from what the offer or history told us. */
export function newChat(id: string, visitor: Chat['visitor'], widget: Chat['widget']): Chat {
  return { id, visitor, widget, lines: [], phase: 'open', unread: 0, visitorTyping: false, stale: false };
}

function lineFromMsg(m: ChatMessageMsg): ChatLine {
  return { key: m.id, id: m.id, cid: m.cid ?? null, from: m.from, dn: m.dn, text: m.text, ts: m.ts };
}

/** Adds this console's outgoing message as "sending". */
export function addPending(chat: Chat, cid: string, text: string, dn: string, now: number): Chat {
  const line: ChatLine = { key: `cid:${cid}`, id: null, cid, from: 'agent', dn, text, ts: now, delivery: 'sending' };
  return { ...chat, lines: [...chat.lines, line] };
}

/** Marks an outgoing message as stored by the server (ChatAck). */
export function applyAck(chat: Chat, cid: string, id: string, ts: number): Chat {
  let hit = false;
  const lines = chat.lines.map((l) => {
    if (l.cid !== cid || l.from !== 'agent' || l.delivery === undefined) return l;
    hit = true;
    return { ...l, id, key: id, ts, delivery: 'sent' as const };
  });
  return hit ? { ...chat, lines: dedupe(lines) } : chat;
}

/**
 * Adds an inbound ChatMessage. Returns the chat and whether the line is new
 * (so the caller counts it as unread). An echo of our own message (same cid)
 * settles the pending line instead of adding another.
 */
export function applyMessage(chat: Chat, m: ChatMessageMsg): { chat: Chat; added: boolean } {
  if (chat.lines.some((l) => l.id === m.id)) return { chat, added: false };
  if (m.cid) {
    const pending = chat.lines.findIndex((l) => l.cid === m.cid && l.delivery !== undefined && l.id === null);
    if (pending >= 0) {
      const lines = chat.lines.slice();
      lines[pending] = { ...lines[pending]!, id: m.id, key: m.id, ts: m.ts, delivery: 'sent' };
      return { chat: { ...chat, lines }, added: false };
    }
  }
  const lines = insertByTs(chat.lines, lineFromMsg(m));
  return { chat: { ...chat, lines, visitorTyping: m.from === 'visitor' ? false : chat.visitorTyping }, added: true };
}

/**
 * Replaces the known part of a conversation with the server's full list
 * (ChatHistory). Lines still "sending" stay (unless the history shows the
 * server stored them, matched by cid) so they can be resent.
 */
export function applyHistory(chat: Chat, messages: ChatMessageMsg[]): Chat {
  const lines = messages.map(lineFromMsg);
  const storedCids = new Set(messages.filter((m) => m.cid).map((m) => m.cid!));
  const pending = chat.lines.filter((l) => l.delivery === 'sending');
  for (const p of pending) {
    if (storedCids.has(p.cid!)) {
      const i = lines.findIndex((l) => l.cid === p.cid);
      lines[i] = { ...lines[i]!, delivery: 'sent' };
    } else lines.push(p);
  }
  // Our own sent lines keep their "sent" mark when the history lacks cids.
  const sentIds = new Set(chat.lines.filter((l) => l.delivery === 'sent').map((l) => l.id));
  for (let i = 0; i < lines.length; i++) if (lines[i]!.delivery === undefined && sentIds.has(lines[i]!.id)) lines[i] = { ...lines[i]!, delivery: 'sent' };
  return { ...chat, lines, stale: false };
}

/** Outgoing messages the server has not acknowledged yet, in order. */
export function pendingOf(chat: Chat): ChatLine[] {
  return chat.lines.filter((l) => l.delivery === 'sending');
}

function insertByTs(lines: ChatLine[], line: ChatLine): ChatLine[] {
  // Messages normally arrive in order; only a pending line (ts = local clock) may sit after.
  let i = lines.length;
  while (i > 0 && lines[i - 1]!.delivery === 'sending') i--;
  return [...lines.slice(0, i), line, ...lines.slice(i)];
}

function dedupe(lines: ChatLine[]): ChatLine[] {
  const seen = new Set<string>();
  return lines.filter((l) => {
    if (l.id === null) return true;
    if (seen.has(l.id)) return false;
    seen.add(l.id);
    return true;
  });
}

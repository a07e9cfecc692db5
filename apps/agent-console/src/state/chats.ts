/**
 * An accepted conversation as the console keeps it. Its lines are
 * client-core's transcript (shared with the widget): the agent's own lines
 * carry their delivery state, acks and echoes settle them, a ChatHistory
 * after a reconnect replaces the rest.
 */
import type { TranscriptLine } from '@cw/client-core';
import type { VisitorContext } from '@cw/protocol';

export type ChatPhase = 'open' | 'closed';

/** An accepted conversation on this console. */
export interface Chat {
  id: string;
  visitor: { dn: string; email?: string };
  widget: { uuid: string; name: string } | null;
  lines: TranscriptLine[];
  phase: ChatPhase;
  closedBy?: 'visitor' | 'agent' | 'system';
  unread: number;
  visitorTyping: boolean;
  /** set on reconnect until the server confirms the chat with ChatHistory */
  stale: boolean;
  /** spec 14: the visitor's page, language and browser */
  context?: VisitorContext;
}

/** Creates a chat from what the offer or history told us. */
export function newChat(id: string, visitor: Chat['visitor'], widget: Chat['widget']): Chat {
  return { id, visitor, widget, lines: [], phase: 'open', unread: 0, visitorTyping: false, stale: false };
}

/** What the store hands to its controllers (calls, chats): state access and the wire. */
import type { AgentInbound } from '@cw/protocol';
import type { ConsoleState, Notice } from './types.js';

export interface StoreContext {
  readonly state: ConsoleState;
  /** replaces parts of the state and re-renders */
  set(patch: Partial<ConsoleState>): void;
  /** sends now; false when the socket is down (nothing is queued) */
  send(m: AgentInbound): boolean;
  notice(text: string, kind?: Notice['kind']): void;
  now(): number;
  /** a new chat request arrived (the store plays the chat sound when the agent wants it) */
  onChatRequest?(): void;
  /** something that leaves a Missed item probably happened (a call or chat request nobody took; the Missed view re-reads) */
  onMissed?(): void;
}

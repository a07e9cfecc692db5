/** The console's state as the UI reads it; changed only by the store. */
import type { DeviceKind, DeviceOption, MediaTrouble } from '@cw/client-core';
import type { Presence, VisiblePresence, VisitorContext } from '@cw/protocol';
import type { Me } from '../api.js';
import type { Chat } from './chats.js';

/** Connection to /ws/agent. `signed-out` and `refused` are final. */
export type Link = 'connecting' | 'online' | 'reconnecting' | 'signed-out' | 'refused';

/** A call that rings on this console. */
export interface RingingCall {
  id: string;
  from: { dn: string };
  widget: { uuid: string; name: string } | null;
  video: boolean;
  since: number;
  /** spec 14: the visitor's page, language and browser */
  visitor?: VisitorContext;
}

export type CallPhase = 'accepting' | 'connecting' | 'active';

/** The call this console took. */
export interface ActiveCall {
  id: string;
  from: { dn: string };
  widget: { uuid: string; name: string } | null;
  video: boolean;
  visitor?: VisitorContext;
  phase: CallPhase;
  /** when it became connected (ms), for the timer */
  connectedAt: number | null;
  muted: boolean;
  cameraOff: boolean;
  trouble: MediaTrouble;
  local: MediaStream | null;
  remote: MediaStream | null;
  /** the microphones and cameras to choose from (issue 15), and the ones in use ('' unknown) */
  devices?: Record<DeviceKind, DeviceOption[]>;
  mic?: string;
  cam?: string;
}

/** A chat request not yet accepted. */
export interface ChatOfferView {
  id: string;
  from: { dn: string; email?: string };
  widget: { uuid: string; name: string } | null;
  since: number;
  accepting: boolean;
  visitor?: VisitorContext;
  /** what the visitor wrote before anyone accepted (spec 14: read before accepting) */
  messages?: { id: string; text: string }[];
  /** earlier conversations of this visitor (same visit), newest first */
  earlier?: { chat: string; ts: number; agentDn: string | null; answered: boolean }[];
}

/** A short message to the agent (call ended, chat taken, …). */
export interface Notice {
  id: number;
  text: string;
  kind: 'info' | 'warning' | 'error';
}

export interface ConsoleState {
  user: Me;
  link: Link;
  /** why the link is `refused` or why the last connection dropped */
  linkText: string;
  /** presence as the server last told it */
  presence: Presence | null;
  /** what visitors see (Presence.visible), when the server said */
  visible: VisiblePresence | null;
  ringing: RingingCall[];
  call: ActiveCall | null;
  offers: ChatOfferView[];
  chats: Chat[];
  activeChat: string | null;
  notices: Notice[];
}

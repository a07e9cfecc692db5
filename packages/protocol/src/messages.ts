/**
 * Every WebSocket message of both channels (spec sections 2, 3 and 8).
 * Inbound messages have runtime schemas; outbound ones are types the server
 * builds and the clients read.
 */
import { bool, literal, obj, opt, str, type Infer, type Result, type Schema } from './schema.js';
import { EMAIL_PATTERN, PRESENCE, type Media, type Presence, type VisiblePresence } from './model.js';
import type { Appearance, Contact } from './api/widgets.js';
import type { ErrorCode } from './errors.js';

/** Limits of section 8, defaults. */
export const LIMITS = {
  maxFrameBytes: 64 * 1024,
  ratePerSecond: 20,
  rateBurst: 50,
  dnMax: 100,
  textMax: 4000,
  ringTimeoutS: 30,
  presenceGraceS: 10,
  sessionTtlMs: 24 * 60 * 60 * 1000,
} as const;

const id = str({ min: 1, max: 200 });
const dn = str({ min: 1, max: LIMITS.dnMax, notBlank: true });
const text = str({ min: 1, max: LIMITS.textMax, notBlank: true });
const sdp = str({ min: 1, max: 60_000 });

// ---------------------------------------------------------------- visitor →

/** Visitor → server: open a widget (optionally resuming a session). */
/** Spec 14: the host page the widget sits on (address and title), as the embed script sees it. */
const page = obj({ url: str({ max: 2000 }), title: opt(str({ max: 500 })) });
export const Start = obj({ mt: literal('Start'), uuid: str({ min: 1, max: 100 }), session: opt(str({ max: 200 })), lang: opt(str({ max: 35 })), page: opt(page) });
/** Visitor → server: ask for an agent's picture. */
export const GetPicture = obj({ mt: literal('GetPicture'), id });
/** Visitor → server: call an agent. */
export const CreateCall = obj({ mt: literal('CreateCall'), dest: id, dn, video: opt(bool()) });
/** Visitor → server: the complete SDP offer of the call. */
export const Channels = obj({ mt: literal('Channels'), cmd: literal('PROPOSAL'), sdp });
/** Visitor → server: hang up. */
export const VisitorClearCall = obj({ mt: literal('ClearCall') });
/** Visitor → server: ask an agent for a chat. */
/** The same rule as the API's `email` fields (spec 14): an address without spaces or `?`, or "". */
const email = str({ max: 254, pattern: new RegExp(EMAIL_PATTERN), patternText: 'must be an e-mail address such as name@example.com (no spaces, no "?"), or empty' });
export const ChatStart = obj({ mt: literal('ChatStart'), dest: id, dn, email: opt(email) });
/** Either side → server: a chat message with a client id for the ack. */
export const ChatMessageIn = obj({ mt: literal('ChatMessage'), chat: id, cid: id, text });
/** Either side → server: typing indicator. */
export const TypingIn = obj({ mt: literal('Typing'), chat: id, typing: bool() });
/** Either side → server: end a chat. */
export const ChatEnd = obj({ mt: literal('ChatEnd'), chat: id });

/** Visitor → server (spec 11): a message for when nobody is available. `hp` is the form's hidden honeypot field. */
export const OfflineMessage = obj({
  mt: literal('OfflineMessage'),
  cid: id,
  name: opt(str({ max: LIMITS.dnMax })),
  email: str({ min: 3, max: 254, pattern: new RegExp(EMAIL_PATTERN), patternText: 'must be an e-mail address such as name@example.com (no spaces, no "?")' }),
  text,
  consent: opt(bool()),
  hp: opt(str({ max: 200 })),
});
/** Visitor → server (spec 11): mail me this chat's transcript when it has ended. */
export const ChatTranscript = obj({
  mt: literal('ChatTranscript'),
  chat: id,
  email: str({ min: 3, max: 254, pattern: new RegExp(EMAIL_PATTERN), patternText: 'must be an e-mail address such as name@example.com (no spaces, no "?")' }),
});

export const visitorInbound = {
  Start,
  GetPicture,
  CreateCall,
  Channels,
  ClearCall: VisitorClearCall,
  ChatStart,
  ChatMessage: ChatMessageIn,
  Typing: TypingIn,
  ChatEnd,
  OfflineMessage,
  ChatTranscript,
} as const;
export type VisitorInbound = { [K in keyof typeof visitorInbound]: Infer<(typeof visitorInbound)[K]> }[keyof typeof visitorInbound];

// ---------------------------------------------------------------- agent →

/** Agent → server: set presence. */
export const SetPresence = obj({ mt: literal('SetPresence'), presence: literal(...PRESENCE) });
/** Agent → server: answer a ringing call with a complete SDP answer. */
export const AcceptCall = obj({ mt: literal('AcceptCall'), call: id, sdp });
/** Agent → server: decline a ringing call. */
export const RejectCall = obj({ mt: literal('RejectCall'), call: id });
/** Agent → server: hang up a call. */
export const AgentClearCall = obj({ mt: literal('ClearCall'), call: id });
/** Agent → server: take a chat that was offered. */
export const ChatAccept = obj({ mt: literal('ChatAccept'), chat: id });

export const agentInbound = {
  SetPresence,
  AcceptCall,
  RejectCall,
  ClearCall: AgentClearCall,
  ChatAccept,
  ChatMessage: ChatMessageIn,
  Typing: TypingIn,
  ChatEnd,
} as const;
export type AgentInbound = { [K in keyof typeof agentInbound]: Infer<(typeof agentInbound)[K]> }[keyof typeof agentInbound];

/**
 * Parses one text frame against a channel's inbound table. On failure the
 * result carries the `ref` (the `mt` when it was readable) for the Error reply.
 */
export function parseInbound<T extends Record<string, Schema<unknown>>>(
  table: T,
  raw: string,
): { ok: true; msg: { [K in keyof T]: Infer<T[K]> }[keyof T] } | { ok: false; error: string; ref: string | null } {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'frame is not valid JSON', ref: null };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'frame is not a JSON object', ref: null };
  const mt = (v as { mt?: unknown }).mt;
  if (typeof mt !== 'string') return { ok: false, error: 'mt is required and must be a string', ref: null };
  if (!Object.prototype.hasOwnProperty.call(table, mt)) return { ok: false, error: `unknown message type ${JSON.stringify(mt.slice(0, 50))}`, ref: mt.slice(0, 50) };
  const r: Result<unknown> = table[mt]!.check(v, '');
  if (!r.ok) return { ok: false, error: r.error, ref: mt };
  return { ok: true, msg: r.value as never };
}

// ---------------------------------------------------------------- server →

export interface ErrorMsg {
  mt: 'Error';
  code: ErrorCode;
  text: string;
  ref: string | null;
}

/** Server → visitor: the widget's configuration and the resume token. */
export interface SessionMsg {
  mt: 'Session';
  name: string;
  lang: string;
  strings: Record<string, string>;
  type: 'sidebar' | 'cards';
  appearance: Appearance;
  contact: Contact;
  session: string;
  /** The widget's uuid (addition). */
  uuid: string;
  /** Spec 14: the admin's heading and greeting; empty values mean the defaults of `strings`. */
  texts: { title: string; greeting: string };
  /** spec 11, for a widget with a schedule: open now, and when it opens next (null while open or never) */
  open?: boolean;
  nextOpen?: number | null;
  /** spec 11 (addition): the offline form, when the widget takes messages */
  offline?: { consentText: string };
}

/** Server → visitor (spec 11): the offline message was stored. */
export interface OfflineAckMsg {
  mt: 'OfflineAck';
  cid: string;
}

/** Server → visitor (spec 11): the transcript will be mailed when the chat has ended. */
export interface ChatTranscriptAckMsg {
  mt: 'ChatTranscriptAck';
  chat: string;
}

/** Server → visitor: one agent and its visible presence. */
export interface InfoMsg {
  mt: 'Info';
  id: string;
  dn: string;
  department: string;
  phonenumber: string;
  email: string;
  company: Contact;
  presence: VisiblePresence;
  media: Media[];
  order: number;
  link?: string;
  /** Addition (issue 15): the agent entry's own address, shown on the card instead of `company.address`; absent when not set. */
  address?: string;
}

export interface RemoveMsg {
  mt: 'Remove';
  id: string;
}

export interface PictureMsg {
  mt: 'Picture';
  id: string;
  url: string;
}

export interface IceConfigMsg {
  mt: 'IceConfig';
  stun: string;
  turn: string;
  iceServers: { urls: string | string[]; username?: string; credential?: string }[];
  /** When the TURN credentials expire (ms since epoch; addition). */
  expires?: number;
}

export type CallState = 'alerting' | 'connected' | 'terminated';
export type CallCause = 'busy' | 'rejected' | 'no-answer' | 'unavailable' | 'remote-hangup' | 'error' | 'answered-elsewhere' | 'cancelled' | 'hangup' | 'failed';

/** Server → visitor / agent: call state. On the agent channel it carries `call`. */
export interface CallInfoMsg {
  mt: 'CallInfo';
  call?: string;
  state: CallState;
  cmd?: 'SELECT';
  sdp?: string;
  cause?: CallCause;
}

export type ChatState = 'waiting' | 'accepted' | 'closed' | 'taken';

export interface ChatInfoMsg {
  mt: 'ChatInfo';
  chat: string;
  state: ChatState;
  agent?: string;
  agentDn?: string;
  by?: 'visitor' | 'agent' | 'system';
}

export interface ChatAckMsg {
  mt: 'ChatAck';
  chat: string;
  cid: string;
  id: string;
  ts: number;
}

export interface ChatMessageMsg {
  mt: 'ChatMessage';
  chat: string;
  id: string;
  from: 'visitor' | 'agent' | 'system';
  dn: string;
  text: string;
  ts: number;
  cid?: string;
}

export interface TypingMsg {
  mt: 'Typing';
  chat: string;
  typing: boolean;
}

export interface ChatHistoryMsg {
  mt: 'ChatHistory';
  chat: string;
  state: ChatState;
  messages: ChatMessageMsg[];
  /** Agent channel additions: who the visitor is and where from. */
  from?: { dn: string; email?: string };
  widget?: { uuid: string; name: string };
  agent?: string;
  agentDn?: string;
  visitor?: VisitorContext;
}

export type VisitorOutbound =
  | ErrorMsg
  | SessionMsg
  | InfoMsg
  | RemoveMsg
  | PictureMsg
  | IceConfigMsg
  | CallInfoMsg
  | ChatInfoMsg
  | ChatAckMsg
  | ChatMessageMsg
  | TypingMsg
  | ChatHistoryMsg
  | OfflineAckMsg
  | ChatTranscriptAckMsg;

/** Server → agent: who is connected and their presence. */
export interface WelcomeMsg {
  mt: 'Welcome';
  user: { id: string; sipId: string; dn: string; roles?: string[] };
  presence: Presence;
}

/** Server → agent: the user's presence changed (addition; any source). */
export interface PresenceMsg {
  mt: 'Presence';
  presence: Presence;
  /** What visitors see, with calls taken into account. */
  visible: VisiblePresence;
}

/** Spec 14: where the visitor is and with what (ChatOffer, IncomingCall, the agent's ChatHistory). */
export interface VisitorContext {
  page?: { url: string; title: string };
  /** the language the visitor's widget asked for (Start.lang), else the one chosen */
  lang?: string;
  /** the browser's User-Agent header */
  userAgent?: string;
}

export interface IncomingCallMsg {
  mt: 'IncomingCall';
  call: string;
  from: { dn: string };
  widget: { uuid: string; name: string };
  video: boolean;
  sdp: string;
  /** The directory entry called: the user's own sipId or a group's (addition). */
  dest?: string;
  visitor?: VisitorContext;
}

export interface ChatOfferMsg {
  mt: 'ChatOffer';
  chat: string;
  from: { dn: string; email?: string };
  widget: { uuid: string; name: string };
  dest?: string;
  visitor?: VisitorContext;
  /** the visitor's messages written before anyone accepted (addition), oldest first */
  messages?: ChatMessageMsg[];
  /** earlier conversations of the same visitor session, newest first (addition, spec 14) */
  earlier?: { chat: string; ts: number; agentDn: string | null; answered: boolean }[];
}

export type AgentOutbound =
  | ErrorMsg
  | WelcomeMsg
  | PresenceMsg
  | IncomingCallMsg
  | CallInfoMsg
  | ChatOfferMsg
  | ChatInfoMsg
  | ChatAckMsg
  | ChatMessageMsg
  | TypingMsg
  | ChatHistoryMsg
  | IceConfigMsg;

export function errorMsg(code: ErrorCode, text: string, ref: string | null = null): ErrorMsg {
  return { mt: 'Error', code, text, ref };
}

export type { Presence };

/** Public shapes of the SIP connector. Nothing here knows about widgets, users or sockets. */

/** How the connector reaches the PBX. */
export type SipTransportKind = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** The app's own account at the phone system (spec 9). */
export interface SipAccount {
  /** SIP URI of the registrar/proxy (`sip:pbx.example.com;transport=tcp`) or a `ws://`/`wss://` URL. */
  registrar: string;
  /** The SIP domain: `sip:<username>@<domain>` is the app's address of record; agents are `sip:<sipId>@<domain>`. */
  domain: string;
  username: string;
  /** Digest user name when it differs from `username` ('' = the same). */
  authUser: string;
  password: string;
  displayName: string;
  /** Optional outbound proxy (same syntax as `registrar`); '' = send to the registrar. */
  outboundProxy: string;
  registerIntervalS: number;
}

/** `standby`: connected for calls and MESSAGEs, while another process of a cluster registers (SipConnector.setActive). */
export type RegistrationState = 'off' | 'registering' | 'registered' | 'failed' | 'standby';

export interface RegistrationStatus {
  state: RegistrationState;
  /** The PBX's answer (`403 Forbidden`) or the transport error when failed; '' otherwise. */
  reason: string;
  /** When `state` last changed (ms since the epoch). */
  since: number;
}

/** Presence of a watched address as the PBX tells it. */
export type PhonePresence = 'online' | 'busy' | 'away' | 'offline';

/** Whether the PBX lets us watch presence at all (reported in the status). */
export type WatchSupport = 'unknown' | 'supported' | 'unsupported';

/** Why a call ended, in the visitor protocol's words (spec 9 outcome mapping). */
export type SipEndCause =
  | 'hangup' // BYE from the phone, or we hung up a connected call
  | 'cancelled' // we cancelled while it rang
  | 'busy'
  | 'rejected'
  | 'unavailable'
  | 'no-answer'
  | 'failed' // transport lost or no answer from the PBX at all
  | 'error';

export interface SipCallEnd {
  cause: SipEndCause;
  /** The SIP status that ended it, when there was one (486, 603, …). */
  code?: number;
  reason?: string;
  /** Which side ended it. */
  by: 'local' | 'remote' | 'network';
}

/** The part of a pino logger the connector uses. */
export interface SipLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

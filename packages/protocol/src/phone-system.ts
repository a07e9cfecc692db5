/**
 * The phone-system (SIP connector) settings of spec 9: `GET/PUT
 * /api/phone-system`. Syntax is checked here; whether the registrar is a
 * usable SIP address is checked by the server with the SIP stack's parser.
 */
import { bool, int, obj, opt, str, type Infer } from './schema.js';

export const REGISTRATION_STATES = ['off', 'registering', 'registered', 'failed'] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

/** Live registration status; `reason` holds the PBX's answer or the transport error when failed. */
export interface PhoneSystemStatus {
  state: RegistrationState;
  reason: string;
  since: number;
  /** Whether the PBX answers presence subscriptions: `unsupported` means agents need "always" or a flag. */
  presence?: 'unknown' | 'supported' | 'unsupported';
}

const sipText = (max: number) => str({ max, pattern: /^[^\s<>"]*$/, patternText: 'must not contain spaces, quotes or angle brackets' });

/** Body of PUT /api/phone-system; `password` omitted keeps the stored one. */
export const phoneSystemPutSchema = obj({
  enabled: bool(),
  registrar: sipText(500),
  domain: sipText(253),
  username: str({ max: 100, pattern: /^[A-Za-z0-9._~!$&'()*+,;=%-]*$/, patternText: 'may only contain the characters of a SIP user name' }),
  authUser: opt(str({ max: 100, pattern: /^[^\s"]*$/, patternText: 'must not contain spaces or quotes' })),
  password: opt(str({ max: 200 })),
  displayName: opt(str({ max: 100, pattern: /^[^"\\\r\n]*$/, patternText: 'must not contain quotes, backslashes or line breaks' })),
  outboundProxy: opt(sipText(500)),
  registerIntervalS: opt(int(30, 86_400)),
});
export type PhoneSystemInput = Infer<typeof phoneSystemPutSchema>;

/** GET /api/phone-system: the settings without the password, and the live status. */
export interface PhoneSystem {
  enabled: boolean;
  registrar: string;
  domain: string;
  username: string;
  authUser: string;
  displayName: string;
  outboundProxy: string;
  registerIntervalS: number;
  /** transport of the registrar address (from its `transport` parameter or URL scheme) */
  transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';
  /** whether a password is stored (it is never returned) */
  hasPassword: boolean;
  status: PhoneSystemStatus;
}

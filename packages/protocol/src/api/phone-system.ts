/**
 * The phone system (spec 9): GET/PUT /api/phone-system. Syntax is checked
 * here; whether the registrar is a usable SIP address is checked by the server
 * with the SIP stack's own parser.
 */
import { Matching, StringEnum, Type, type Static } from './kit.js';

export const REGISTRATION_STATES = ['off', 'registering', 'registered', 'failed'] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];
export const SIP_TRANSPORTS = ['udp', 'tcp', 'tls', 'ws', 'wss'] as const;

/** Live registration status. */
export const PhoneSystemStatus = Type.Object({
  state: StringEnum(REGISTRATION_STATES),
  reason: Type.String({ description: 'when failed: the PBX answer (403 Forbidden) or the transport error' }),
  since: Type.Integer({ description: 'when state last changed (ms since the epoch)' }),
  presence: Type.Optional(StringEnum(['unknown', 'supported', 'unsupported'] as const, { description: 'whether the PBX answers presence subscriptions' })),
});
export type PhoneSystemStatus = Static<typeof PhoneSystemStatus>;

const SipAddress = (description: string) => Matching('^[^\\s<>"]*$', 'must not contain spaces, quotes or angle brackets', { maxLength: 500, description });
const fields = {
  enabled: Type.Boolean({ description: 'off: nothing is registered and the product works without a phone system' }),
  registrar: SipAddress('SIP URI of the registrar/proxy with its transport (sip:pbx.example.com;transport=tcp; udp, tcp, tls, ws, wss), or a ws:// / wss:// URL'),
  domain: Matching('^[^\\s<>"@;?]*$', 'must be a host name or address such as pbx.example.com', { maxLength: 253, description: 'the SIP domain: agents are dialled as sip:<sipId>@<domain>' }),
  username: Matching("^[A-Za-z0-9._~!$&'()*+,;=%-]*$", 'may only contain the characters of a SIP user name', { maxLength: 100 }),
};
const optional = {
  authUser: Type.Optional(Matching('^[^\\s"]*$', 'must not contain spaces or quotes', { maxLength: 100, description: 'digest user name when it differs from username' })),
  displayName: Type.Optional(Matching('^[^"\\\\\\r\\n]*$', 'must not contain quotes, backslashes or line breaks', { maxLength: 100 })),
  outboundProxy: Type.Optional(SipAddress('optional; same syntax as registrar')),
  registerIntervalS: Type.Optional(Type.Integer({ minimum: 30, maximum: 86400, default: 300, errorMessage: 'must be an integer from 30 to 86400' })),
};

/** PUT /api/phone-system: the settings; `password` omitted keeps the stored one. */
export const PhoneSystemPut = Type.Object({
  ...fields,
  password: Type.Optional(Type.String({ maxLength: 200, writeOnly: true, description: 'omitted: the stored one is kept' })),
  ...optional,
});
export type PhoneSystemInput = Static<typeof PhoneSystemPut>;

/** GET /api/phone-system: the settings (never the password) and the live status. */
export const PhoneSystem = Type.Object({
  enabled: Type.Boolean(),
  registrar: Type.String(),
  domain: Type.String(),
  username: Type.String(),
  authUser: Type.String(),
  displayName: Type.String(),
  outboundProxy: Type.String(),
  registerIntervalS: Type.Integer(),
  transport: StringEnum(SIP_TRANSPORTS, { readOnly: true, description: 'transport of the registrar address' }),
  hasPassword: Type.Boolean({ readOnly: true, description: 'a password is stored (it is never returned)' }),
  status: PhoneSystemStatus,
});
export type PhoneSystem = Static<typeof PhoneSystem>;

/**
 * JSON Schema components of /api/openapi.json. They mirror the runtime
 * schemas in @cw/protocol/model.ts (which are what validates; the protocol's
 * tiny schema language cannot emit JSON Schema). Change both together; the
 * enums are imported so they cannot drift.
 */
import { AVAILABILITY, LANGS, MEDIA, PRESENCE, REACH, REGISTRATION_STATES, ROLES } from '@cw/protocol';
import type { JsonSchema } from './route.js';

const s = (maxLength?: number, minLength?: number): JsonSchema => ({ type: 'string', ...(minLength ? { minLength } : {}), ...(maxLength ? { maxLength } : {}) });
const ro = (x: JsonSchema): JsonSchema => ({ ...x, readOnly: true });

const widgetAgent: JsonSchema = {
  type: 'object',
  required: ['sipId', 'media', 'availability'],
  properties: {
    sipId: s(100, 1),
    displayName: s(100),
    department: s(100),
    phone: s(50),
    email: s(254),
    picture: { type: 'string', description: 'data:image/(jpeg|png|webp|gif);base64 under 2 MiB decoded, or ""; stored re-encoded as a 256×256 JPEG' },
    media: { type: 'array', uniqueItems: true, items: { enum: [...MEDIA] } },
    availability: { enum: [...AVAILABILITY] },
    flag: { type: ['string', 'null'], description: 'a flag id; required when availability is "boolean"' },
    link: { type: 'string', maxLength: 2000, description: 'http(s) address of opening hours or a calendar' },
  },
};

const widgetInput: JsonSchema = {
  type: 'object',
  required: ['type', 'name'],
  properties: {
    type: { enum: ['sidebar', 'cards'] },
    name: s(200, 1),
    notes: s(5000),
    lang: { enum: [...LANGS], default: 'en' },
    contact: { type: 'object', properties: { company: s(200), address: s(500), phone: s(50), email: s(254) } },
    appearance: {
      type: 'object',
      description: 'empty values inherit the website’s',
      properties: {
        position: { enum: ['left', 'right'] },
        alwaysShow: { type: 'boolean' },
        fontFamily: s(200),
        fontSize: s(16),
        colors: { type: 'object', properties: { primary: s(32), background: s(32), text: s(32) } },
        margin: { type: 'object', properties: Object.fromEntries(['top', 'right', 'bottom', 'left'].map((k) => [k, { type: 'integer', minimum: 0, maximum: 2000 }])) },
        zIndex: { type: 'integer' },
      },
    },
    allowedOrigins: { type: 'array', maxItems: 100, uniqueItems: true, items: { type: 'string', description: 'https://shop.example.com or https://*.example.com' } },
    agents: { type: 'array', maxItems: 200, items: { $ref: '#/components/schemas/WidgetAgent' } },
  },
};

const user: JsonSchema = {
  type: 'object',
  required: ['id', 'username', 'displayName', 'sipId', 'email', 'phone', 'department', 'roles'],
  properties: {
    id: ro(s()),
    username: s(100, 1),
    displayName: s(100),
    sipId: s(100),
    email: s(254),
    phone: s(50),
    department: s(100),
    roles: { type: 'array', items: { enum: [...ROLES] } },
    reach: { enum: [...REACH], default: 'console', description: 'where calls and chats to this user go: the agent console, the phone system (sip:<sipId>@<domain>), or both at once' },
  },
};

const reach: JsonSchema = { enum: [...REACH], default: 'console', description: "the members' consoles, the group's own address at the phone system, or both" };
const sipAddress = (maxLength: number, description: string): JsonSchema => ({ type: 'string', maxLength, description });
const phoneSystemFields: Record<string, JsonSchema> = {
  enabled: { type: 'boolean', description: 'off: nothing is registered and the product works without a phone system' },
  registrar: sipAddress(500, 'SIP URI of the registrar/proxy with its transport (sip:pbx.example.com;transport=tcp; udp, tcp, tls, ws, wss), or a ws:// / wss:// URL'),
  domain: sipAddress(253, 'the SIP domain: agents are dialled as sip:<sipId>@<domain>'),
  username: s(100),
  authUser: { type: 'string', maxLength: 100, description: 'digest user name when it differs from username' },
  displayName: s(100),
  outboundProxy: sipAddress(500, 'optional; same syntax as registrar'),
  registerIntervalS: { type: 'integer', minimum: 30, maximum: 86400, default: 300 },
};

/** components/schemas of the OpenAPI document. */
export const components: Record<string, JsonSchema> = {
  Error: {
    type: 'object',
    required: ['error', 'message'],
    properties: { error: { type: 'string', description: 'a code from the error registry' }, message: { type: 'string' }, field: { type: 'string', description: 'the invalid field, e.g. agents[0].media[1]' } },
  },
  Login: { type: 'object', required: ['username', 'password'], properties: { username: s(100, 1), password: { type: 'string', minLength: 1, maxLength: 200, writeOnly: true } } },
  TokenCreate: { type: 'object', required: ['name'], properties: { name: s(100, 1) } },
  TokenCreated: { type: 'object', required: ['id', 'token'], properties: { id: s(), name: s(), token: { type: 'string', description: 'shown only once' }, createdAt: { type: 'integer' } } },
  Token: { type: 'object', required: ['id', 'name'], properties: { id: s(), name: s(), createdAt: { type: 'integer' } } },
  User: user,
  UserCreate: {
    type: 'object',
    required: ['username', 'password', 'roles'],
    properties: { ...(user.properties as object), id: undefined, password: { type: 'string', minLength: 8, maxLength: 200, writeOnly: true } },
  },
  UserPatch: { type: 'object', properties: { ...(user.properties as object), id: undefined, password: { type: 'string', minLength: 8, maxLength: 200, writeOnly: true } } },
  Group: { type: 'object', required: ['id', 'name', 'sipId', 'members'], properties: { id: ro(s()), name: s(100, 1), sipId: s(100, 1), members: { type: 'array', items: { type: 'string', description: 'user id' } }, reach } },
  GroupCreate: { type: 'object', required: ['name', 'sipId', 'members'], properties: { name: s(100, 1), sipId: s(100, 1), members: { type: 'array', uniqueItems: true, items: { type: 'string' } }, reach } },
  GroupPatch: { type: 'object', properties: { name: s(100, 1), sipId: s(100, 1), members: { type: 'array', uniqueItems: true, items: { type: 'string' } }, reach } },
  PhoneSystemStatus: {
    type: 'object',
    required: ['state', 'reason', 'since'],
    properties: {
      state: { enum: [...REGISTRATION_STATES] },
      reason: { type: 'string', description: 'when failed: the PBX answer (403 Forbidden) or the transport error' },
      since: { type: 'integer', description: 'when state last changed (ms since the epoch)' },
      presence: { enum: ['unknown', 'supported', 'unsupported'], description: 'whether the PBX answers presence subscriptions' },
    },
  },
  PhoneSystem: {
    type: 'object',
    required: ['enabled', 'registrar', 'domain', 'username', 'authUser', 'displayName', 'outboundProxy', 'registerIntervalS', 'status'],
    properties: {
      ...phoneSystemFields,
      transport: ro({ enum: ['udp', 'tcp', 'tls', 'ws', 'wss'] }),
      hasPassword: ro({ type: 'boolean', description: 'a password is stored (it is never returned)' }),
      status: ro({ $ref: '#/components/schemas/PhoneSystemStatus' }),
    },
  },
  PhoneSystemPut: {
    type: 'object',
    required: ['enabled', 'registrar', 'domain', 'username'],
    properties: { ...phoneSystemFields, password: { type: 'string', maxLength: 200, writeOnly: true, description: 'omitted: the stored one is kept' } },
  },
  DirectoryEntry: {
    type: 'object',
    required: ['kind', 'id', 'sipId', 'name'],
    properties: { kind: { enum: ['user', 'group'] }, id: s(), sipId: s(), name: s(), department: s(), email: s(), phone: s() },
  },
  WidgetAgent: widgetAgent,
  WidgetInput: widgetInput,
  Widget: {
    allOf: [
      { $ref: '#/components/schemas/WidgetInput' },
      { type: 'object', required: ['uuid', 'createdAt', 'updatedAt'], properties: { uuid: ro(s()), createdAt: { type: 'integer' }, updatedAt: { type: 'integer' } } },
    ],
  },
  Embed: { type: 'object', required: ['html'], properties: { html: { type: 'string', description: 'the lines to paste into a page' } } },
  Flag: { type: 'object', required: ['id', 'name', 'value'], properties: { id: ro(s()), name: s(100, 1), value: { type: 'boolean' } } },
  FlagCreate: { type: 'object', required: ['name'], properties: { name: s(100, 1), value: { type: 'boolean', default: false } } },
  FlagPut: { type: 'object', properties: { value: { type: 'boolean' }, name: s(100, 1) } },
  PresencePut: { type: 'object', required: ['presence'], properties: { presence: { enum: [...PRESENCE] } } },
  PresenceState: { type: 'object', required: ['sipId', 'presence'], properties: { sipId: s(), presence: { enum: [...PRESENCE] }, updatedAt: { type: ['integer', 'null'] } } },
  ChatSummary: {
    type: 'object',
    properties: {
      id: s(), widgetUuid: s(), widgetName: { type: ['string', 'null'] }, visitorDn: s(), visitorEmail: s(), dest: s(),
      state: { enum: ['waiting', 'accepted', 'closed'] }, agentUserId: { type: ['string', 'null'] }, agentDn: { type: ['string', 'null'] },
      closedBy: { enum: ['visitor', 'agent', 'system', null] }, createdAt: { type: 'integer' }, closedAt: { type: ['integer', 'null'] },
      preview: { type: 'string', description: 'the last message, shortened (in lists only)' },
    },
  },
  ChatDetail: {
    type: 'object',
    required: ['chat', 'messages'],
    properties: {
      chat: { $ref: '#/components/schemas/ChatSummary' },
      messages: { type: 'array', items: { type: 'object', properties: { id: s(), chat: s(), from: { enum: ['visitor', 'agent', 'system'] }, dn: s(), text: s(), ts: { type: 'integer' } } } },
    },
  },
  CallLogEntry: {
    type: 'object',
    properties: {
      id: s(), widgetUuid: s(), dest: s(), visitorDn: s(), video: { type: 'boolean' }, agentUserId: { type: ['string', 'null'] },
      startedAt: { type: 'integer' }, answeredAt: { type: ['integer', 'null'] }, endedAt: { type: ['integer', 'null'] }, cause: { type: ['string', 'null'] },
      answeredVia: { enum: ['console', 'phone', null], description: 'where the call was answered' },
    },
  },
};

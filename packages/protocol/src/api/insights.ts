/**
 * Statistics, webhooks, the audit trail and backup (spec section 12): the
 * shapes of their API, written once.
 */
import { Matching, Nullable, StringEnum, Type, type Static, type TSchema } from './kit.js';

/** An instant as ISO 8601 text with a time zone ("2026-03-01T00:00:00+01:00", "…Z"), or epoch milliseconds. */
const Instant = (description: string) =>
  Matching('^(\\d{1,15}|\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2}))?)$', 'must be an ISO 8601 time such as 2026-03-01T00:00:00+01:00 (or a date, or epoch milliseconds)', {
    maxLength: 40,
    description,
  });

// ------------------------------------------------------------ statistics

/** GET /api/stats */
export const StatsQuery = Type.Object({
  from: Type.Optional(Instant('start of the period (inclusive); default: 7 days before `to`')),
  to: Type.Optional(Instant('end of the period (exclusive); default: now')),
  bucket: StringEnum(['hour', 'day'] as const, { default: 'day', description: 'bucket size, in the time zone `tz`' }),
  tz: Type.String({ maxLength: 64, default: 'UTC', description: 'IANA time zone of the buckets, e.g. Europe/Berlin' }),
  widget: Type.Optional(Type.String({ maxLength: 64, description: 'only this widget (uuid)' })),
  agent: Type.Optional(Type.String({ maxLength: 100, description: 'only contacts addressed to this sipId or answered by its user' })),
  group: Type.Optional(Type.String({ maxLength: 64, description: 'only contacts addressed to this group (id)' })),
});
export type StatsQuery = Static<typeof StatsQuery>;

const counts = {
  chats: Type.Integer(),
  voiceCalls: Type.Integer(),
  videoCalls: Type.Integer(),
  offlineMessages: Type.Integer(),
  answered: Type.Integer({ description: 'calls and chats an agent accepted' }),
  missed: Type.Integer({ description: 'calls that ended unanswered; chats closed before an agent accepted' }),
};
const ms = (description: string) => Nullable(Type.Integer(), { description });

export const StatsBucket = Type.Object({ start: Type.String({ description: 'first instant of the bucket, ISO 8601 in the time zone' }), ...counts });
export type StatsBucket = Static<typeof StatsBucket>;

export const StatsTotals = Type.Object({
  ...counts,
  answerTimeP50Ms: ms('median time to answer (calls and chats); null when nothing was answered'),
  answerTimeP90Ms: ms('90th percentile of the time to answer'),
  answerTimeAvgMs: ms('mean time to answer'),
  callsAnswered: Type.Integer(),
  chatsAnswered: Type.Integer(),
  callDurationTotalMs: Type.Integer({ description: 'talk time of answered calls' }),
  callDurationAvgMs: ms('mean talk time of answered calls'),
  chatDurationAvgMs: ms('mean time from accept to close of answered chats'),
});
export type StatsTotals = Static<typeof StatsTotals>;

export const Stats = Type.Object({
  period: Type.Object({ from: Type.String(), to: Type.String(), bucket: StringEnum(['hour', 'day'] as const), tz: Type.String() }),
  totals: StatsTotals,
  buckets: Type.Array(StatsBucket),
  busiestHours: Type.Array(Type.Object({ hour: Type.Integer({ minimum: 0, maximum: 23 }), contacts: Type.Integer() }), { description: 'contacts by local hour of day, busiest first' }),
  weekHours: Type.Array(Type.Array(Type.Integer()), { description: 'contacts by weekday (0 = Monday) and local hour: 7 rows of 24' }),
  agents: Type.Array(
    Type.Object({ id: Type.String(), sipId: Type.String(), displayName: Type.String(), calls: Type.Integer(), chats: Type.Integer(), talkTimeMs: Type.Integer() }),
    { description: 'what each agent answered, busiest first' },
  ),
});
export type Stats = Static<typeof Stats>;

// ------------------------------------------------------------ webhooks

/** The events a webhook can subscribe to. */
export const WEBHOOK_EVENTS = ['chat.started', 'chat.ended', 'call.started', 'call.answered', 'call.ended', 'offline.message', 'presence.changed'] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

const HookUrl = Matching('^https?://[^\\s]+$', 'must be an http:// or https:// URL', { minLength: 8, maxLength: 2000 });

/** POST /api/webhooks and PUT /api/webhooks/:id */
export const WebhookInput = Type.Object({
  url: HookUrl,
  events: Type.Array(StringEnum(WEBHOOK_EVENTS), { uniqueItems: true, maxItems: WEBHOOK_EVENTS.length, description: 'at least one' }),
  active: Type.Boolean({ default: true }),
  description: Type.String({ maxLength: 200, default: '' }),
});
export type WebhookInput = Static<typeof WebhookInput>;

const webhookFields = {
  id: Type.String({ readOnly: true }),
  url: Type.String(),
  events: Type.Array(StringEnum(WEBHOOK_EVENTS)),
  active: Type.Boolean(),
  description: Type.String(),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
};

/** A webhook as listed (without its secret). */
export const Webhook = Type.Object(webhookFields);
export type Webhook = Static<typeof Webhook>;

/** The answer to creating a webhook (or rotating its secret): the secret is shown only this once. */
export const WebhookCreated = Type.Object({ ...webhookFields, secret: Type.String({ description: 'HMAC key of X-CW-Signature; shown only once' }) });
export type WebhookCreated = Static<typeof WebhookCreated>;

export const WebhookDelivery = Type.Object({
  id: Type.String({ description: 'the body id and X-CW-Delivery' }),
  event: Type.String(),
  state: StringEnum(['pending', 'delivered', 'failed'] as const, { description: 'pending (also while waiting for a retry), delivered, failed (given up)' }),
  attempts: Type.Integer(),
  createdAt: Type.Integer(),
  lastAttemptAt: Nullable(Type.Integer()),
  nextAttemptAt: Nullable(Type.Integer(), { description: 'when it is tried next (pending only)' }),
  deliveredAt: Nullable(Type.Integer()),
  lastStatus: Nullable(Type.Integer(), { description: 'HTTP status of the last answer' }),
  lastError: Type.String({ description: 'why the last attempt failed ("" when it did not)' }),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

/** One delivery with the body that is (or was) sent. */
export const WebhookDeliveryDetail = Type.Object({ ...WebhookDelivery.properties, body: Type.String() });
export type WebhookDeliveryDetail = Static<typeof WebhookDeliveryDetail>;

export const WebhookDeliveryParams = Type.Object({ id: Type.String(), delivery: Type.String() });
export const WebhookDeliveriesQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100, errorMessage: 'must be an integer from 1 to 500' }),
});

// ------------------------------------------------------------ audit

/** A field's value before and after (secrets read "***"). */
export const AuditChange = Type.Object({ from: Type.Unsafe<unknown>({ description: 'value before (absent: did not exist)' }), to: Type.Unsafe<unknown>({ description: 'value after' }) });

export const AuditEntry = Type.Object({
  id: Type.String(),
  ts: Type.Integer(),
  actor: Type.Object({ id: Nullable(Type.String()), username: Type.String(), via: StringEnum(['session', 'token', 'cli'] as const) }),
  ip: Type.String({ description: 'the client address as the server sees it (after TRUST_PROXY)' }),
  action: Type.String({ description: 'e.g. widget.update, user.create, webhook.delete' }),
  target: Type.String({ description: 'the id of what was changed' }),
  targetName: Type.String({ description: 'its name at the time' }),
  diff: Type.Unsafe<Record<string, { from?: unknown; to?: unknown }>>({ type: 'object', description: 'field → {from, to}; nested fields as dotted paths (agents[0].media); secrets masked' }),
});
export type AuditEntry = Static<typeof AuditEntry>;

/** GET /api/audit */
export const AuditQuery = Type.Object({
  from: Type.Optional(Instant('entries at or after')),
  to: Type.Optional(Instant('entries before')),
  actor: Type.Optional(Type.String({ maxLength: 100, description: 'username' })),
  action: Type.Optional(Type.String({ maxLength: 100, description: 'an action (widget.update) or a prefix ending in a dot (widget.)' })),
  target: Type.Optional(Type.String({ maxLength: 100 })),
  before: Type.Optional(Type.String({ maxLength: 40, description: 'entries older than this entry id (paging)' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100, errorMessage: 'must be an integer from 1 to 500' }),
});
export type AuditQuery = Static<typeof AuditQuery>;

// ------------------------------------------------------------ backup

/** GET /api/export, POST /api/import: every configuration table's rows (checked in detail by the server). */
export const ConfigDocument = Type.Unsafe<{ format: 'contact-widgets-config'; version: 1; exportedAt: string; migrations: string[]; tables: Record<string, Record<string, unknown>[]> }>({
  type: 'object',
  description: 'format "contact-widgets-config", version 1, exportedAt, migrations, tables: {table: [row, …]}; holds password hashes and webhook secrets',
  required: ['format', 'version', 'migrations', 'tables'],
});

export const ImportResult = Type.Object({ imported: Type.Unsafe<Record<string, number>>({ type: 'object', description: 'rows per table' }) });

/** The named shapes of this file, for the OpenAPI components. */
export const insightComponents: Record<string, TSchema> = {
  Stats,
  WebhookInput,
  Webhook,
  WebhookCreated,
  WebhookDelivery,
  WebhookDeliveryDetail,
  AuditEntry,
  ConfigDocument,
  ImportResult,
};

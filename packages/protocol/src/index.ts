/** The wire contract of Contact Widgets: messages, schemas, errors, strings. */
export * from './schema.js';
export * from './errors.js';
export * from './model.js';
export * from './messages.js';
// The HTTP API's shapes (./api, TypeBox): types only here, so the widget never bundles TypeBox.
export type { Appearance, Contact, Widget, WidgetAgent, WidgetInput, Embed } from './api/widgets.js';
export type { DirectoryEntry, Flag, FlagCreate, FlagPut, Group, GroupCreate, GroupPatch, Me, MePatch, PresencePut, PresenceState, User, UserCreate, UserPatch } from './api/directory.js';
export type { ApiError, Login, Token, TokenCreate, TokenCreated } from './api/auth.js';
export type { CallListQuery, CallLogEntry, CallOutcome, ChatDetail, ChatListItem, ChatMessageView, ChatSummary } from './api/history.js';
export type { AuditEntry, AuditQuery, Stats, StatsBucket, StatsQuery, StatsTotals, Webhook, WebhookCreated, WebhookDelivery, WebhookDeliveryDetail, WebhookEventName, WebhookInput } from './api/insights.js';
export type { PhoneSystem, PhoneSystemInput, PhoneSystemStatus, RegistrationState } from './api/phone-system.js';
export type { MailEntry, MailStatus, MissedItem, MissedPatch, Schedule, ScheduleInput, TranscriptRequest, WidgetOffline } from './api/schedules.js';

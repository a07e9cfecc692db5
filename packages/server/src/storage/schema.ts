/**
 * Row shapes of the database tables, as Kysely sees them. Column names are
 * snake_case; repos map rows to the camelCase records of types.ts.
 *
 * Times are bigint columns: PostgreSQL's driver returns int8 as a string, so
 * every reader converts with `num()` (see rows.ts). Booleans are integer 0/1.
 */
import type { Generated } from 'kysely';

/** A bigint column: written as number, read as number (SQLite) or string (pg). */
export type Big = number | string;

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  /** NULL when empty, so that many users without a sipId don't clash */
  sip_id: string | null;
  email: string;
  phone: string;
  department: string;
  /** JSON array of roles */
  roles: string;
  password_hash: string;
  created_at: Big;
  /** console | phone | both (migration 002) */
  reach: Generated<string>;
  /** the language the user chose for the admin app and console, '' for none (migration 006) */
  lang: Generated<string>;
  /** data: URL or '' (migration 007) */
  picture: Generated<string>;
}

export interface GroupsTable {
  id: string;
  name: string;
  /** NULL when empty */
  sip_id: string | null;
  /** console | phone | both (migration 002) */
  reach: Generated<string>;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  /** position in the group's member list */
  pos: number;
}

export interface WidgetsTable {
  uuid: string;
  name: string;
  /** JSON of the rest of the WidgetRecord (type, notes, lang, contact, appearance, allowedOrigins, agents) */
  body: string;
  created_at: Big;
  updated_at: Big;
}

export interface FlagsTable {
  id: string;
  name: string;
  value: number;
  /** migration 004: the schedule it follows */
  schedule_id: Generated<string | null>;
  /** migration 004: a manual value holds until then */
  override_until: Generated<Big | null>;
}

/** migration 004 */
export interface SchedulesTable {
  id: string;
  name: string;
  /** JSON: timeZone, week, exceptions */
  body: string;
  created_at: Big;
  updated_at: Big;
}

/** migration 004 */
export interface MissedTable {
  seq: Generated<number>;
  id: string;
  kind: string;
  ref: string | null;
  widget_uuid: string;
  widget_name: string;
  agent: string | null;
  name: string;
  email: string;
  text: string;
  consent: number;
  ts: Big;
  state: string;
  done_at: Big | null;
  done_by: string | null;
}

/** migration 004 */
export interface MailOutboxTable {
  seq: Generated<number>;
  id: string;
  kind: string;
  recipients: string;
  subject: string;
  text_body: string;
  html_body: string;
  reply_to: string;
  state: string;
  attempts: number;
  next_at: Big;
  locked_until: Big | null;
  last_error: string;
  created_at: Big;
  sent_at: Big | null;
}

/** migration 004 */
export interface TranscriptRequestsTable {
  chat_id: string;
  email: string;
  lang: string;
  created_at: Big;
  queued_at: Big | null;
}

export interface AuthSessionsTable {
  id: string;
  user_id: string;
  created_at: Big;
  expires_at: Big;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: Big;
}

export interface VisitorSessionsTable {
  token: string;
  widget_uuid: string;
  last_active: Big;
}

export interface ChatsTable {
  id: string;
  widget_uuid: string;
  visitor_session: string;
  visitor_dn: string;
  visitor_email: string;
  dest: string;
  state: string;
  agent_user_id: string | null;
  agent_dn: string | null;
  closed_by: string | null;
  created_at: Big;
  closed_at: Big | null;
  /** when an agent accepted (migration 005; NULL for chats accepted before it) */
  accepted_at: Big | null;
  /** JSON of the visitor context (page, lang, userAgent), '' when none (migration 007) */
  visitor_context: Generated<string>;
}

export interface ChatMessagesTable {
  /** global insertion order; the message id is derived from it */
  seq: Generated<Big>;
  chat_id: string;
  sender: string;
  dn: string;
  text: string;
  ts: Big;
  cid: string;
}

export interface CallLogTable {
  id: string;
  widget_uuid: string;
  dest: string;
  visitor_dn: string;
  video: number;
  agent_user_id: string | null;
  started_at: Big;
  answered_at: Big | null;
  ended_at: Big | null;
  cause: string | null;
  /** console | phone once answered (migration 002) */
  answered_via: string | null;
  /** JSON of the visitor context (page, lang, userAgent), '' when none (migration 008) */
  visitor_context: Generated<string>;
  /** the visitor session that called, '' when unknown (migration 008) */
  visitor_session: Generated<string>;
}

/** The one row (id 1) of phone-system settings. */
export interface PhoneSystemTable {
  id: number;
  enabled: number;
  registrar: string;
  domain: string;
  username: string;
  auth_user: string;
  /** the password, encrypted (never plain text) */
  password_enc: string;
  display_name: string;
  outbound_proxy: string;
  register_interval_s: number;
  updated_at: Big;
}

export interface PresenceTable {
  user_id: string;
  presence: string;
  source: string;
  updated_at: Big;
}

export interface WebhooksTable {
  id: string;
  url: string;
  secret: string;
  /** JSON array of event names */
  events: string;
  active: number;
  description: string;
  created_at: Big;
  updated_at: Big;
}

export interface WebhookDeliveriesTable {
  seq: Generated<Big>;
  id: string;
  webhook_id: string;
  event: string;
  order_key: string;
  body: string;
  state: string;
  attempts: number;
  next_at: Big;
  locked_until: Big | null;
  last_status: number | null;
  last_error: string;
  created_at: Big;
  last_attempt_at: Big | null;
  delivered_at: Big | null;
}

export interface AuditLogTable {
  seq: Generated<Big>;
  id: string;
  ts: Big;
  actor_id: string | null;
  actor_username: string;
  actor_via: string;
  ip: string;
  action: string;
  target: string;
  target_name: string;
  /** JSON of the field-level diff */
  diff: string;
}

export interface Database {
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  widgets: WidgetsTable;
  flags: FlagsTable;
  auth_sessions: AuthSessionsTable;
  api_tokens: ApiTokensTable;
  visitor_sessions: VisitorSessionsTable;
  chats: ChatsTable;
  chat_messages: ChatMessagesTable;
  call_log: CallLogTable;
  presence: PresenceTable;
  phone_system: PhoneSystemTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  audit_log: AuditLogTable;
  schedules: SchedulesTable;
  missed: MissedTable;
  mail_outbox: MailOutboxTable;
  transcript_requests: TranscriptRequestsTable;
}

/**
 * Storage interfaces. One implementation (Kysely) serves SQLite and
 * PostgreSQL; one conformance suite (test/storage.conformance.test.ts) runs
 * against both. Everything the server persists goes through here.
 *
 * Conventions: ids are strings; times are ms since epoch (numbers);
 * JSON-ish fields (roles, members, widget body) are stored as JSON text.
 * "Not found" is `undefined` from getters and `false` from updates/deletes.
 * Unique violations throw `StorageConflictError`.
 */
import type { Logger } from 'pino';
import type { Flag, Group, Presence, Reach, Role, VisitorContext, Widget } from '@cw/protocol';

export class StorageConflictError extends Error {
  constructor(public readonly field: string, message = `${field} is already taken`) {
    super(message);
    this.name = 'StorageConflictError';
  }
}

/** A write referred to a row that does not exist (e.g. a group member that is no user). */
export class StorageReferenceError extends Error {
  constructor(public readonly field: string, message = `${field} refers to something that does not exist`) {
    super(message);
    this.name = 'StorageReferenceError';
  }
}

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  sipId: string;
  email: string;
  phone: string;
  department: string;
  roles: Role[];
  /** scrypt hash in PHC-like format; never leaves the server. */
  passwordHash: string;
  createdAt: number;
  /** where calls and chats go (spec 9); 'console' when not given */
  reach: Reach;
  /** the language chosen for the admin app and console (spec 13); absent until the user picks one */
  lang?: string;
  /** spec 14: the user's own picture (data: URL, re-encoded) or "" (migration 007) */
  picture?: string;
}

/** A group, a widget and a flag are stored exactly as the API shows them: one definition each (@cw/protocol/api). */
export type GroupRecord = Group;
export type WidgetRecord = Widget;
/** A flag as the API shows it, plus until when a manual value overrides its schedule (spec 11). */
export type FlagRecord = Flag & { overrideUntil?: number | null };

/** A schedule (spec 11) without its computed state. */
export interface ScheduleRecord {
  id: string;
  name: string;
  timeZone: string;
  week: Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', [string, string][]>;
  exceptions: { date: string; intervals: [string, string][]; label: string }[];
  createdAt: number;
  updatedAt: number;
}

export interface ScheduleRepo {
  create(s: Omit<ScheduleRecord, 'id' | 'createdAt' | 'updatedAt'>): Promise<ScheduleRecord>;
  get(id: string): Promise<ScheduleRecord | undefined>;
  list(): Promise<ScheduleRecord[]>;
  replace(id: string, s: Omit<ScheduleRecord, 'id' | 'createdAt' | 'updatedAt'>): Promise<ScheduleRecord | undefined>;
  delete(id: string): Promise<boolean>;
}

/** Something nobody answered (spec 11): an offline message, a call, a chat request. */
export interface MissedRecord {
  id: string;
  kind: 'offline' | 'call' | 'chat';
  /** the call or chat id (recording is idempotent per ref); null for offline messages */
  ref: string | null;
  widgetUuid: string;
  widgetName: string;
  /** the sipId addressed; null for offline messages */
  agent: string | null;
  name: string;
  email: string;
  text: string;
  consent: boolean;
  ts: number;
  state: 'open' | 'done';
  doneAt: number | null;
  doneBy: string | null;
}

export interface MissedRepo {
  /** Stores a new item; with a `ref` already recorded nothing changes (inserted false). */
  add(m: Omit<MissedRecord, 'id' | 'state' | 'doneAt' | 'doneBy'>): Promise<{ record: MissedRecord; inserted: boolean }>;
  get(id: string): Promise<MissedRecord | undefined>;
  /** newest first */
  list(q: { state?: 'open' | 'done'; limit: number }): Promise<MissedRecord[]>;
  setState(id: string, state: 'open' | 'done', by: string | null, at: number): Promise<MissedRecord | undefined>;
}

/** A mail accepted for sending (spec 11): kept until sent, or failed after its retries. */
export interface MailRecord {
  id: string;
  kind: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  replyTo: string;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAt: number;
  lastError: string;
  createdAt: number;
  sentAt: number | null;
}

export interface MailRepo {
  enqueue(m: Pick<MailRecord, 'kind' | 'to' | 'subject' | 'text' | 'html' | 'replyTo'>): Promise<MailRecord>;
  /** Takes up to `limit` due pending mails, each locked for `lockMs` (another process skips them meanwhile). */
  claimDue(now: number, limit: number, lockMs: number): Promise<MailRecord[]>;
  markSent(id: string, at: number): Promise<void>;
  /** another attempt at `nextAt`; `failed` gives it up */
  markAttempt(id: string, o: { error: string; nextAt: number | null }): Promise<void>;
  get(id: string): Promise<MailRecord | undefined>;
  /** newest first */
  list(limit: number, state?: MailRecord['state']): Promise<MailRecord[]>;
  counts(): Promise<{ pending: number; failed: number; sent: number; nextAt: number | null }>;
  /** Puts a failed mail back in the queue (admin "retry"). */
  retry(id: string, now: number): Promise<boolean>;
}

export interface TranscriptRequestRepo {
  /** Records a request; the same address twice for one chat is one request (false). */
  add(chatId: string, email: string, lang: string, at: number): Promise<boolean>;
  /** requests of a chat not yet queued as mail */
  pending(chatId: string): Promise<{ chatId: string; email: string; lang: string }[]>;
  markQueued(chatId: string, email: string, at: number): Promise<void>;
  /** chats with requests not yet queued (a restart finds what it left) */
  pendingChats(): Promise<string[]>;
}

/** A signed-in browser session (cookie). The id stored is a hash of the cookie value. */
export interface AuthSessionRecord {
  id: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  /** sha256 hex of the token; the token itself is shown once. */
  tokenHash: string;
  createdAt: number;
}

/** A visitor's resumable session on one widget (spec 8, Resume). */
export interface VisitorSessionRecord {
  token: string;
  widgetUuid: string;
  lastActive: number;
}

export type ChatStateRecord = 'waiting' | 'accepted' | 'closed';

export interface ChatRecord {
  id: string;
  widgetUuid: string;
  /** visitor session token that owns the chat */
  visitorSession: string;
  visitorDn: string;
  visitorEmail: string;
  /** the directory sipId the visitor addressed (user or group) */
  dest: string;
  state: ChatStateRecord;
  /** user id of the accepting agent */
  agentUserId: string | null;
  agentDn: string | null;
  closedBy: 'visitor' | 'agent' | 'system' | null;
  createdAt: number;
  closedAt: number | null;
  /** when an agent accepted it; null while waiting (and for chats accepted before this was recorded) */
  acceptedAt: number | null;
  /** spec 14: the visitor's page, language and browser when the chat was requested (migration 007) */
  visitor?: VisitorContext;
}

export interface ChatMessageRecord {
  id: string;
  chatId: string;
  from: 'visitor' | 'agent' | 'system';
  dn: string;
  text: string;
  ts: number;
  /** the sender's client id, for idempotent retries */
  cid: string;
}

export interface CallLogRecord {
  id: string;
  widgetUuid: string;
  dest: string;
  visitorDn: string;
  video: boolean;
  agentUserId: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  /** final cause, e.g. "hangup", "no-answer" */
  cause: string | null;
  /** where it was answered: an agent console or the phone system (null until answered) */
  answeredVia?: 'console' | 'phone' | null;
  /** spec 14: the visitor's page, language and browser when the call started (migration 008) */
  visitor?: VisitorContext;
  /** the visitor session that called, '' when unknown (migration 008) */
  visitorSession?: string;
}

/** Which calls `CallLogRepo.list` reads (all of them when empty). */
export interface CallLogFilter {
  /** one agent's calls: answered by `agentUserId`, or addressed to one of `dests` and answered by nobody */
  party?: { agentUserId: string; dests: string[] };
  /** answered ones only, or unanswered ones only */
  answered?: boolean;
  /** started at or after (ms) */
  from?: number;
}

/** The phone-system settings (spec 9); the password only as ciphertext. */
export interface PhoneSystemRecord {
  enabled: boolean;
  registrar: string;
  domain: string;
  username: string;
  authUser: string;
  passwordEnc: string;
  displayName: string;
  outboundProxy: string;
  registerIntervalS: number;
  updatedAt: number;
}

export interface PhoneSystemRepo {
  /** undefined until saved once */
  get(): Promise<PhoneSystemRecord | undefined>;
  put(r: PhoneSystemRecord): Promise<void>;
}

export interface PresenceRecord {
  userId: string;
  presence: Presence;
  /** who set it last: a console or the presence API */
  source: 'console' | 'api';
  updatedAt: number;
}

export interface UserRepo {
  create(u: Omit<UserRecord, 'id' | 'createdAt' | 'reach'> & { id?: string; reach?: Reach }): Promise<UserRecord>;
  get(id: string): Promise<UserRecord | undefined>;
  getByUsername(username: string): Promise<UserRecord | undefined>;
  getBySipId(sipId: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  update(id: string, patch: Partial<Omit<UserRecord, 'id' | 'createdAt'>>): Promise<UserRecord | undefined>;
  delete(id: string): Promise<boolean>;
  countAdmins(): Promise<number>;
  /** case-insensitive substring match on username, displayName, sipId */
  search(q: string, limit: number): Promise<UserRecord[]>;
}

export interface GroupRepo {
  create(g: Omit<GroupRecord, 'id' | 'reach'> & { reach?: Reach }): Promise<GroupRecord>;
  get(id: string): Promise<GroupRecord | undefined>;
  getBySipId(sipId: string): Promise<GroupRecord | undefined>;
  list(): Promise<GroupRecord[]>;
  update(id: string, patch: Partial<Omit<GroupRecord, 'id'>>): Promise<GroupRecord | undefined>;
  delete(id: string): Promise<boolean>;
  search(q: string, limit: number): Promise<GroupRecord[]>;
  /** groups that list this user */
  listForUser(userId: string): Promise<GroupRecord[]>;
}

export interface WidgetRepo {
  create(w: Omit<WidgetRecord, 'uuid' | 'createdAt' | 'updatedAt'>): Promise<WidgetRecord>;
  get(uuid: string): Promise<WidgetRecord | undefined>;
  list(): Promise<WidgetRecord[]>;
  replace(uuid: string, w: Omit<WidgetRecord, 'uuid' | 'createdAt' | 'updatedAt'>): Promise<WidgetRecord | undefined>;
  delete(uuid: string): Promise<boolean>;
}

export interface FlagRepo {
  create(f: Omit<FlagRecord, 'id'>): Promise<FlagRecord>;
  get(id: string): Promise<FlagRecord | undefined>;
  list(): Promise<FlagRecord[]>;
  update(id: string, patch: Partial<Omit<FlagRecord, 'id'>>): Promise<FlagRecord | undefined>;
  /** flags that follow this schedule */
  listBySchedule(scheduleId: string): Promise<FlagRecord[]>;
  delete(id: string): Promise<boolean>;
}

export interface AuthSessionRepo {
  create(s: AuthSessionRecord): Promise<void>;
  get(id: string): Promise<AuthSessionRecord | undefined>;
  delete(id: string): Promise<boolean>;
  /** Ends every session of the user, except `exceptId` (the caller's own, after changing their password). */
  deleteForUser(userId: string, exceptId?: string): Promise<number>;
  deleteExpired(now: number): Promise<number>;
}

export interface ApiTokenRepo {
  create(t: Omit<ApiTokenRecord, 'id' | 'createdAt'>): Promise<ApiTokenRecord>;
  getByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>;
  listForUser(userId: string): Promise<ApiTokenRecord[]>;
  delete(id: string): Promise<boolean>;
}

export interface VisitorSessionRepo {
  /** inserts or refreshes lastActive */
  upsert(s: VisitorSessionRecord): Promise<void>;
  get(token: string): Promise<VisitorSessionRecord | undefined>;
  touch(token: string, now: number): Promise<void>;
  deleteOlderThan(ts: number): Promise<number>;
}

export interface ChatRepo {
  create(c: Omit<ChatRecord, 'id' | 'createdAt' | 'closedAt' | 'closedBy' | 'agentUserId' | 'agentDn' | 'state' | 'acceptedAt' | 'visitor'> & { visitor?: VisitorContext | undefined } & { id?: string; createdAt?: number }): Promise<ChatRecord>;
  get(id: string): Promise<ChatRecord | undefined>;
  /** compare-and-set: accepts only a waiting chat; false if someone else won */
  accept(id: string, agentUserId: string, agentDn: string, at?: number): Promise<boolean>;
  close(id: string, by: 'visitor' | 'agent' | 'system', at: number): Promise<boolean>;
  /** open (waiting or accepted) chats of a visitor session */
  listOpenForVisitor(visitorSession: string): Promise<ChatRecord[]>;
  /** closed chats of a visitor session, newest first (spec 14: the agent sees earlier conversations) */
  listClosedForVisitor(visitorSession: string, limit: number): Promise<ChatRecord[]>;
  /** accepted, not closed chats of an agent */
  listOpenForAgent(agentUserId: string): Promise<ChatRecord[]>;
  /** all waiting chats (offers to re-send after restart) */
  listWaiting(): Promise<ChatRecord[]>;
  /** closed chats of an agent, newest first, optionally filtered by text in visitor name/email/messages */
  listClosedForAgent(agentUserId: string, q: string | undefined, limit: number): Promise<ChatRecord[]>;
  /**
   * Appends a message. Idempotent on (chatId, from, cid) for a non-empty cid:
   * a retry stores nothing and returns the first record. `inserted` says which
   * happened — decided by the database, so it holds across processes.
   */
  appendMessage(m: Omit<ChatMessageRecord, 'id'>): Promise<{ message: ChatMessageRecord; inserted: boolean }>;
  listMessages(chatId: string): Promise<ChatMessageRecord[]>;
}

export interface CallLogRepo {
  create(c: Omit<CallLogRecord, 'id'> & { id?: string }): Promise<CallLogRecord>;
  update(id: string, patch: Partial<Omit<CallLogRecord, 'id'>>): Promise<boolean>;
  get(id: string): Promise<CallLogRecord | undefined>;
  /** newest first */
  list(limit: number, filter?: CallLogFilter): Promise<CallLogRecord[]>;
}

/** What a statistic covers: [from, to), optionally one widget and one party. */
export interface StatsScope {
  from: number;
  to: number;
  widgetUuid?: string;
  /** rows addressed to one of `dests` (sipIds of users or groups) or answered by one of `agentUserIds` */
  party?: { dests: string[]; agentUserIds: string[] };
}

/** Segments of constant UTC offset covering the scope, in order; `to` of the last one is ignored. */
export type StatsZone = { to: number; offsetMs: number }[];

/** Counts of one source in one local hour of one offset segment (see stats/time-zone.ts). */
export interface StatsHourRow {
  source: 'call' | 'chat' | 'offline';
  /** index into the StatsZone */
  seg: number;
  /** local hour number: floor((t + offset) / 1 h) */
  lh: number;
  total: number;
  /** calls with video */
  video: number;
  answered: number;
  /** ended without an agent answering (calls), closed without being accepted (chats) */
  missed: number;
  /** sum of times to answer, and how many answered rows have one */
  answerMs: number;
  answerN: number;
  /** sum of durations after answering (calls: talk time; chats: accept to close), and how many */
  durationMs: number;
  durationN: number;
}

/** What one agent answered in a scope. */
export interface StatsAgentRow {
  agentUserId: string;
  calls: number;
  chats: number;
  /** call talk time */
  talkMs: number;
}

/** Aggregations for statistics, in SQL that runs the same on both databases. */
export interface StatsRepo {
  hours(scope: StatsScope, zone: StatsZone): Promise<StatsHourRow[]>;
  /** the k-th smallest (0-based) time to answer among the answered calls and chats in scope (their count: the sum of answerN) */
  answerTimeAt(scope: StatsScope, k: number): Promise<number | undefined>;
  /** all those times to answer, in no order (for scopes small enough to sort in memory) */
  answerTimes(scope: StatsScope): Promise<number[]>;
  agents(scope: StatsScope): Promise<StatsAgentRow[]>;
  /** chats not closed now, by state (a metric; all processes' chats) */
  openChats(): Promise<{ waiting: number; accepted: number }>;
}

export interface WebhookRecord {
  id: string;
  url: string;
  /** HMAC key for the signature; leaves the server only once, in the create answer */
  secret: string;
  events: string[];
  active: boolean;
  description: string;
  createdAt: number;
  updatedAt: number;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveryRecord {
  /** also the body's `id` and the X-CW-Delivery header */
  id: string;
  webhookId: string;
  event: string;
  orderKey: string;
  /** the JSON body, fixed when queued; retries send it unchanged */
  body: string;
  state: DeliveryState;
  attempts: number;
  nextAt: number;
  lastStatus: number | null;
  lastError: string;
  createdAt: number;
  lastAttemptAt: number | null;
  deliveredAt: number | null;
}

export interface NewDelivery {
  id: string;
  webhookId: string;
  event: string;
  orderKey: string;
  body: string;
  createdAt: number;
}

export interface WebhookRepo {
  create(w: Omit<WebhookRecord, 'id' | 'createdAt' | 'updatedAt'> & { id?: string; createdAt?: number; updatedAt?: number }): Promise<WebhookRecord>;
  get(id: string): Promise<WebhookRecord | undefined>;
  list(): Promise<WebhookRecord[]>;
  update(id: string, patch: Partial<Omit<WebhookRecord, 'id' | 'createdAt' | 'updatedAt'>>): Promise<WebhookRecord | undefined>;
  /** deletes the webhook and its deliveries */
  delete(id: string): Promise<boolean>;
  /** queues deliveries (pending, due now), in the given order */
  enqueue(ds: NewDelivery[]): Promise<void>;
  /**
   * Pending deliveries of active webhooks that are due, not held by a
   * process, and first in line of their order key; oldest first.
   */
  due(now: number, limit: number): Promise<(WebhookDeliveryRecord & { url: string; secret: string })[]>;
  /** takes a due delivery for one attempt until `lockUntil`; false when another process has it */
  claim(id: string, now: number, lockUntil: number): Promise<boolean>;
  /** records an attempt's outcome: delivered, failed for good, or pending again at `nextAt` */
  settle(id: string, r: { state: DeliveryState; lastStatus: number | null; lastError: string; nextAt?: number; deliveredAt?: number }): Promise<void>;
  /** the earliest next_at of a pending delivery (to sleep until then) */
  nextDueAt(): Promise<number | undefined>;
  getDelivery(id: string): Promise<WebhookDeliveryRecord | undefined>;
  /** newest first */
  listDeliveries(webhookId: string, limit: number): Promise<WebhookDeliveryRecord[]>;
  /** a failed delivery goes back into the queue, due at `now` */
  retry(id: string, now: number): Promise<boolean>;
  countPending(): Promise<number>;
  /** removes delivered and failed deliveries created before `ts` */
  pruneFinished(ts: number): Promise<number>;
}

export interface AuditRecord {
  id: string;
  ts: number;
  actor: { id: string | null; username: string; via: 'session' | 'token' | 'cli' };
  ip: string;
  action: string;
  target: string;
  targetName: string;
  diff: Record<string, unknown>;
}

export interface AuditFilter {
  from?: number;
  to?: number;
  /** username */
  actor?: string;
  /** exact action, or a prefix ending in "." ("widget.") */
  action?: string;
  target?: string;
  /** entries before this id (paging, newest first) */
  before?: string;
  limit: number;
}

/** Append-only: there is no update or delete (the trail cannot be edited through the product). */
export interface AuditRepo {
  append(e: Omit<AuditRecord, 'id'>): Promise<AuditRecord>;
  /** newest first */
  list(f: AuditFilter): Promise<AuditRecord[]>;
}

/** Rows of the configuration tables, by table name; column names as in the database. */
export type ConfigTables = Record<string, Record<string, unknown>[]>;

export interface BackupRepo {
  /** the configuration tables, in insertion order */
  readonly tables: readonly string[];
  /** names of the migrations applied to this database */
  migrations(): Promise<string[]>;
  /** every row of every configuration table (int8 as numbers on both databases) */
  dump(): Promise<ConfigTables>;
  /** deletes all configuration (and sign-in sessions, presence, queued webhook deliveries) and inserts `tables`; run it in a transaction */
  replace(tables: ConfigTables): Promise<void>;
}

export interface PresenceRepo {
  get(userId: string): Promise<PresenceRecord | undefined>;
  set(p: PresenceRecord): Promise<void>;
  list(): Promise<PresenceRecord[]>;
}

/** All repositories; `transaction` runs `fn` atomically with repos bound to the transaction. */
export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  users: UserRepo;
  groups: GroupRepo;
  widgets: WidgetRepo;
  flags: FlagRepo;
  authSessions: AuthSessionRepo;
  apiTokens: ApiTokenRepo;
  visitorSessions: VisitorSessionRepo;
  chats: ChatRepo;
  calls: CallLogRepo;
  presence: PresenceRepo;
  phoneSystem: PhoneSystemRepo;
  stats: StatsRepo;
  webhooks: WebhookRepo;
  audit: AuditRepo;
  backup: BackupRepo;
  schedules: ScheduleRepo;
  missed: MissedRepo;
  mail: MailRepo;
  transcripts: TranscriptRequestRepo;
  /**
   * All-or-nothing, and serial on both databases (PostgreSQL: SERIALIZABLE, `fn` re-run on a
   * serialization failure). Inside `fn` use only `tx` and do only database work; publish after.
   * See docs/adr/0002-storage.md.
   */
  transaction<T>(fn: (tx: Omit<Storage, 'transaction' | 'close' | 'ping'>) => Promise<T>): Promise<T>;
  /** throws when the database is not reachable */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** postgres://… selects PostgreSQL; otherwise SQLite at sqlitePath */
  databaseUrl?: string;
  /** file path, or ':memory:' */
  sqlitePath?: string;
  /** run migrations on open (default true) */
  migrate?: boolean;
  /** PostgreSQL only: a schema to use (created if missing) instead of `public`; tests isolate runs with it */
  schema?: string;
  /** PostgreSQL only: connections in the pool (default 10); a cluster needs processes × this below max_connections */
  poolSize?: number;
  /** the time source for createdAt/updatedAt (default Date.now) */
  now?: () => number;
  /** where migrations and connection trouble are logged (default: a pino logger named "storage") */
  logger?: Logger;
}

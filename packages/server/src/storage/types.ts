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
import type { Appearance, Contact, Lang, Presence, Reach, Role, WidgetAgent } from '@cw/protocol';

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
}

export interface GroupRecord {
  id: string;
  name: string;
  sipId: string;
  /** user ids, in order */
  members: string[];
  /** 'console' when not given */
  reach: Reach;
}

export interface WidgetRecord {
  uuid: string;
  type: 'sidebar' | 'cards';
  name: string;
  notes: string;
  lang: Lang;
  contact: Contact;
  appearance: Appearance;
  allowedOrigins: string[];
  agents: WidgetAgent[];
  createdAt: number;
  updatedAt: number;
}

export interface FlagRecord {
  id: string;
  name: string;
  value: boolean;
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
  delete(id: string): Promise<boolean>;
}

export interface AuthSessionRepo {
  create(s: AuthSessionRecord): Promise<void>;
  get(id: string): Promise<AuthSessionRecord | undefined>;
  delete(id: string): Promise<boolean>;
  deleteForUser(userId: string): Promise<number>;
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
  create(c: Omit<ChatRecord, 'id' | 'createdAt' | 'closedAt' | 'closedBy' | 'agentUserId' | 'agentDn' | 'state'> & { id?: string; createdAt?: number }): Promise<ChatRecord>;
  get(id: string): Promise<ChatRecord | undefined>;
  /** compare-and-set: accepts only a waiting chat; false if someone else won */
  accept(id: string, agentUserId: string, agentDn: string): Promise<boolean>;
  close(id: string, by: 'visitor' | 'agent' | 'system', at: number): Promise<boolean>;
  /** open (waiting or accepted) chats of a visitor session */
  listOpenForVisitor(visitorSession: string): Promise<ChatRecord[]>;
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
  list(limit: number): Promise<CallLogRecord[]>;
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
  /** the time source for createdAt/updatedAt (default Date.now) */
  now?: () => number;
  /** where migrations and connection trouble are logged (default: a pino logger named "storage") */
  logger?: Logger;
}

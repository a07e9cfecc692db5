/**
 * Configuration, read from environment variables in this one place
 * (spec section 6). Every variable is documented in the README.
 */
import path from 'node:path';
import { LIMITS } from '@cw/protocol';
import { parseTrustProxy, type TrustProxy } from './http/proxy-trust.js';

export interface Config {
  port: number;
  host: string;
  publicUrl: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** PostgreSQL connections per process */
  databasePoolSize: number;
  /** REDIS_URL and a PostgreSQL DATABASE_URL: several processes serve together (spec 10) */
  cluster: boolean;
  /** cluster mode: prefix of every Redis key and channel, so installations can share one Redis */
  redisPrefix: string;
  adminUsername: string;
  adminPassword: string | undefined;
  stunUrls: string[];
  turnUrls: string[];
  turnSecret: string | undefined;
  /** lifetime of TURN REST credentials, seconds */
  turnTtlS: number;
  ringTimeoutS: number;
  presenceGraceS: number;
  /** unanswered chat requests close after this many seconds (by: system) */
  chatWaitTimeoutS: number;
  maxFrameBytes: number;
  ratePerSecond: number;
  rateBurst: number;
  /** login session lifetime, hours */
  sessionTtlH: number;
  /** set the Secure flag on cookies (behind HTTPS) */
  secureCookies: boolean;
  /** reverse proxies whose X-Forwarded-* are believed: none, their number, or their addresses (spec 6) */
  trustProxy: TrustProxy;
  /** a visitor socket must send Start within this, seconds (0: no deadline) */
  wsStartTimeoutS: number;
  /** WebSocket ping interval, seconds; a peer that misses a pong is dropped (0: off) */
  wsPingIntervalS: number;
  /** HTTP: a connection with no traffic for this long is closed, seconds */
  httpIdleTimeoutS: number;
  /** HTTP: the request headers must arrive within this, seconds */
  httpHeadersTimeoutS: number;
  /** HTTP: a whole request (headers and body) must arrive within this, seconds */
  httpRequestTimeoutS: number;
  /** open TCP connections (and proxied WebSockets) per client address; 0: no cap */
  maxConnectionsPerIp: number;
  /** new chats and calls per client address within contactsWindowS (0: no limit) */
  contactsPerIp: number;
  contactsWindowS: number;
  /** new passwords need at least this zxcvbn score, 0–4 (docs/security.md) */
  passwordMinScore: number;
  /** Strict-Transport-Security max-age (sent with SECURE_COOKIES=true), seconds */
  hstsMaxAgeS: number;
  /** largest JSON body of most API routes, bytes (widgets, users and imports allow more) */
  httpBodyLimit: number;
  /** open agent sockets re-check their credentials this often, seconds */
  authRecheckS: number;
  /** sign-in throttling (docs/security.md) */
  login: {
    maxPerUser: number;
    maxPerIp: number;
    windowMs: number;
    hashPerIp: number;
    hashTotal: number;
  };
  logLevel: string;
  /** GET /metrics needs `Authorization: Bearer <this>`; unset: /metrics answers 404 */
  metricsToken: string | undefined;
  /** webhook deliveries: per-request timeout, how many at once, first retry delay, when to give up */
  webhookTimeoutS: number;
  webhookConcurrency: number;
  webhookRetryBaseS: number;
  webhookMaxAgeH: number;
  /** the phone-system connector's own side (spec 9); its account is set in the admin app */
  sip: {
    /** local UDP port (0: any free one) */
    udpPort: number;
    /** address to put in Via/Contact when the PBX must reach us at another one (NAT) */
    contactHost: string | undefined;
    /** verify the PBX's TLS/WSS certificate */
    tlsVerify: boolean;
  };
  /** e-mail (spec 11): smtp://user:pass@host:port or smtps://…; unset: nothing is sent (mails wait in the outbox) */
  smtpUrl: string | undefined;
  /** the From address of every mail */
  mailFrom: string;
  /** first retry delay of a mail that failed; it doubles per attempt up to 1 h; given up after mailMaxAgeH */
  mailRetryBaseS: number;
  mailMaxAgeH: number;
  /** offline messages (spec 11): at most this many per visitor session and per address within the window */
  offlinePerSession: number;
  offlinePerIp: number;
  offlineWindowS: number;
  /** an offline form sent sooner than this after the widget loaded is refused (anti-spam) */
  offlineMinFillS: number;
  /** key for secrets stored in the database (the phone-system password): 32 bytes, hex or base64; unset: DATA_DIR/secrets.key */
  secretsKey: string | undefined;
}

function num(v: string | undefined, d: number, name: string): number {
  if (v === undefined || v === '') return d;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function flag(v: string | undefined, d: boolean): boolean {
  if (v === undefined || v === '') return d;
  return /^(1|true|yes|on)$/i.test(v);
}

/**
 * Cluster mode is REDIS_URL with a PostgreSQL DATABASE_URL. Any other use of
 * REDIS_URL is refused: a process that silently ignored it would break as soon
 * as a visitor and an agent landed on different processes.
 */
function clusterMode(redisUrl: string | undefined, databaseUrl: string | undefined): boolean {
  if (!redisUrl) return false;
  if (!/^rediss?:\/\//i.test(redisUrl)) throw new Error(`REDIS_URL must start with redis:// or rediss://, got ${JSON.stringify(redisUrl.slice(0, 40))}`);
  if (!databaseUrl || !/^postgres(ql)?:\/\//i.test(databaseUrl))
    throw new Error(
      'REDIS_URL is set, so several processes would serve together (cluster mode), but DATABASE_URL does not name a PostgreSQL database. ' +
        'Cluster mode needs PostgreSQL: SQLite is a file that only one process may use. ' +
        'Set DATABASE_URL=postgres://… for cluster mode, or unset REDIS_URL to run one process on SQLite.',
    );
  return true;
}

function smtpUrl(v: string | undefined): string | undefined {
  if (!v) return undefined;
  if (!/^smtps?:\/\/[^\s]+$/i.test(v)) throw new Error('SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465');
  return v;
}

function mailFrom(v: string | undefined): string {
  const from = v || 'Contact Widgets <no-reply@localhost>';
  // One address, one line: nothing a header could be continued or split with.
  if (/[\r\n]/.test(from) || !/@/.test(from) || from.length > 254) throw new Error('MAIL_FROM must be one address such as "Example <contact@example.com>"');
  return from;
}

/**
 * Secrets in the database (the phone-system password) are sealed with one
 * key; without SECRETS_KEY each process would make its own key file, and a
 * password saved through one process could not be read by the others.
 */
function sharedSecretsKey(key: string | undefined): true {
  if (!key)
    throw new Error(
      'REDIS_URL is set (cluster mode), but SECRETS_KEY is not: every process must seal and open stored secrets (the phone-system password) with the same key. ' +
        'Set SECRETS_KEY to the same 32-byte key (64 hex digits, or base64) on every process, e.g. from `openssl rand -hex 32`.',
    );
  return true;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  const redisUrl = env.REDIS_URL || undefined;
  const redisPrefix = env.REDIS_PREFIX || 'cw:';
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(redisPrefix)) throw new Error(`REDIS_PREFIX may contain letters, digits and : _ . - (at most 64), got ${JSON.stringify(redisPrefix.slice(0, 80))}`);
  return {
    port: num(env.PORT, 8080, 'PORT'),
    // '::' is every interface, IPv6 and IPv4 (dual stack); main.ts falls back to 0.0.0.0 without IPv6.
    host: env.HOST || '::',
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : undefined,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl,
    redisUrl,
    databasePoolSize: Math.max(2, Math.floor(num(env.DATABASE_POOL_SIZE, 10, 'DATABASE_POOL_SIZE'))),
    cluster: clusterMode(redisUrl, databaseUrl) && sharedSecretsKey(env.SECRETS_KEY),
    redisPrefix,
    adminUsername: env.ADMIN_USERNAME || 'admin',
    adminPassword: env.ADMIN_PASSWORD || undefined,
    stunUrls: list(env.STUN_URLS),
    turnUrls: list(env.TURN_URLS),
    turnSecret: env.TURN_SECRET || undefined,
    turnTtlS: num(env.TURN_TTL_S, 3600, 'TURN_TTL_S'),
    ringTimeoutS: num(env.RING_TIMEOUT_S, LIMITS.ringTimeoutS, 'RING_TIMEOUT_S'),
    presenceGraceS: num(env.PRESENCE_GRACE_S, LIMITS.presenceGraceS, 'PRESENCE_GRACE_S'),
    chatWaitTimeoutS: num(env.CHAT_WAIT_TIMEOUT_S, 300, 'CHAT_WAIT_TIMEOUT_S'),
    maxFrameBytes: num(env.WS_MAX_FRAME_BYTES, LIMITS.maxFrameBytes, 'WS_MAX_FRAME_BYTES'),
    ratePerSecond: num(env.WS_RATE_PER_S, LIMITS.ratePerSecond, 'WS_RATE_PER_S'),
    rateBurst: num(env.WS_RATE_BURST, LIMITS.rateBurst, 'WS_RATE_BURST'),
    sessionTtlH: num(env.SESSION_TTL_H, 12, 'SESSION_TTL_H'),
    secureCookies: flag(env.SECURE_COOKIES, false),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    logLevel: env.LOG_LEVEL || 'info',
    wsStartTimeoutS: num(env.WS_START_TIMEOUT_S, 10, 'WS_START_TIMEOUT_S'),
    wsPingIntervalS: num(env.WS_PING_INTERVAL_S, 30, 'WS_PING_INTERVAL_S'),
    httpIdleTimeoutS: num(env.HTTP_IDLE_TIMEOUT_S, 75, 'HTTP_IDLE_TIMEOUT_S'),
    httpHeadersTimeoutS: num(env.HTTP_HEADERS_TIMEOUT_S, 20, 'HTTP_HEADERS_TIMEOUT_S'),
    httpRequestTimeoutS: num(env.HTTP_REQUEST_TIMEOUT_S, 120, 'HTTP_REQUEST_TIMEOUT_S'),
    maxConnectionsPerIp: num(env.MAX_CONNECTIONS_PER_IP, 1000, 'MAX_CONNECTIONS_PER_IP'),
    contactsPerIp: num(env.CONTACTS_PER_IP, 30, 'CONTACTS_PER_IP'),
    contactsWindowS: num(env.CONTACTS_WINDOW_S, 600, 'CONTACTS_WINDOW_S'),
    passwordMinScore: Math.min(4, num(env.PASSWORD_MIN_SCORE, 2, 'PASSWORD_MIN_SCORE')),
    hstsMaxAgeS: num(env.HSTS_MAX_AGE_S, 31_536_000, 'HSTS_MAX_AGE_S'),
    httpBodyLimit: Math.max(1024, num(env.HTTP_BODY_LIMIT, 16 * 1024, 'HTTP_BODY_LIMIT')),
    authRecheckS: Math.max(1, num(env.AUTH_RECHECK_S, 300, 'AUTH_RECHECK_S')),
    metricsToken: env.METRICS_TOKEN || undefined,
    webhookTimeoutS: num(env.WEBHOOK_TIMEOUT_S, 10, 'WEBHOOK_TIMEOUT_S'),
    webhookConcurrency: Math.max(1, Math.floor(num(env.WEBHOOK_CONCURRENCY, 4, 'WEBHOOK_CONCURRENCY'))),
    webhookRetryBaseS: num(env.WEBHOOK_RETRY_BASE_S, 10, 'WEBHOOK_RETRY_BASE_S'),
    webhookMaxAgeH: num(env.WEBHOOK_MAX_AGE_H, 72, 'WEBHOOK_MAX_AGE_H'),
    sip: {
      udpPort: num(env.SIP_UDP_PORT, 0, 'SIP_UDP_PORT'),
      contactHost: env.SIP_CONTACT_HOST || undefined,
      tlsVerify: flag(env.SIP_TLS_VERIFY, true),
    },
    secretsKey: env.SECRETS_KEY || undefined,
    smtpUrl: smtpUrl(env.SMTP_URL),
    mailFrom: mailFrom(env.MAIL_FROM),
    mailRetryBaseS: num(env.MAIL_RETRY_BASE_S, 30, 'MAIL_RETRY_BASE_S'),
    mailMaxAgeH: num(env.MAIL_MAX_AGE_H, 72, 'MAIL_MAX_AGE_H'),
    offlinePerSession: num(env.OFFLINE_PER_SESSION, 3, 'OFFLINE_PER_SESSION'),
    offlinePerIp: num(env.OFFLINE_PER_IP, 20, 'OFFLINE_PER_IP'),
    offlineWindowS: num(env.OFFLINE_WINDOW_S, 3600, 'OFFLINE_WINDOW_S'),
    offlineMinFillS: num(env.OFFLINE_MIN_FILL_S, 3, 'OFFLINE_MIN_FILL_S'),
    login: {
      maxPerUser: num(env.LOGIN_MAX_PER_USER, 10, 'LOGIN_MAX_PER_USER'),
      maxPerIp: num(env.LOGIN_MAX_PER_IP, 100, 'LOGIN_MAX_PER_IP'),
      windowMs: num(env.LOGIN_WINDOW_S, 900, 'LOGIN_WINDOW_S') * 1000,
      hashPerIp: Math.max(1, num(env.LOGIN_HASH_PER_IP, 2, 'LOGIN_HASH_PER_IP')),
      hashTotal: Math.max(1, num(env.LOGIN_HASH_CONCURRENCY, 4, 'LOGIN_HASH_CONCURRENCY')),
    },
  };
}

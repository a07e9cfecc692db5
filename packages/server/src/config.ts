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
  /** sign-in throttling (docs/security.md) */
  login: {
    maxPerUser: number;
    maxPerIp: number;
    windowMs: number;
    hashPerIp: number;
    hashTotal: number;
  };
  logLevel: string;
  /** the phone-system connector's own side (spec 9); its account is set in the admin app */
  sip: {
    /** local UDP port (0: any free one) */
    udpPort: number;
    /** address to put in Via/Contact when the PBX must reach us at another one (NAT) */
    contactHost: string | undefined;
    /** verify the PBX's TLS/WSS certificate */
    tlsVerify: boolean;
  };
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: num(env.PORT, 8080, 'PORT'),
    // '::' is every interface, IPv6 and IPv4 (dual stack); main.ts falls back to 0.0.0.0 without IPv6.
    host: env.HOST || '::',
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : undefined,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
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
    sip: {
      udpPort: num(env.SIP_UDP_PORT, 0, 'SIP_UDP_PORT'),
      contactHost: env.SIP_CONTACT_HOST || undefined,
      tlsVerify: flag(env.SIP_TLS_VERIFY, true),
    },
    secretsKey: env.SECRETS_KEY || undefined,
    login: {
      maxPerUser: num(env.LOGIN_MAX_PER_USER, 10, 'LOGIN_MAX_PER_USER'),
      maxPerIp: num(env.LOGIN_MAX_PER_IP, 100, 'LOGIN_MAX_PER_IP'),
      windowMs: num(env.LOGIN_WINDOW_S, 900, 'LOGIN_WINDOW_S') * 1000,
      hashPerIp: Math.max(1, num(env.LOGIN_HASH_PER_IP, 2, 'LOGIN_HASH_PER_IP')),
      hashTotal: Math.max(1, num(env.LOGIN_HASH_CONCURRENCY, 4, 'LOGIN_HASH_CONCURRENCY')),
    },
  };
}

/**
 * The phone system (spec 9): the stored settings, the SIP connector that
 * uses them, and its live status. `put()` stores and re-registers at once —
 * no restart; off (the default) means nothing is registered and the product
 * works exactly as without a phone system.
 *
 * Cluster mode (issue 12): only the process holding the lease
 * `phone-system` (cluster/lease.ts) registers and subscribes to the phones'
 * presence; when it dies another takes over within the lease's ttl (5 s).
 * The others keep a connection to the PBX in standby for the calls and
 * MESSAGEs they send themselves (their dialogs come back to them by their
 * Contact). What only the holder hears is shared: the phones' presence
 * (bus topic `phone-presence` + a Redis hash for late joiners) and its
 * registration status (topic `phone-status` + a Redis key), which every
 * process shows. Replies by MESSAGE reach the holder, so the chats' phone
 * side runs there (phone-chats.ts forwards to it). One process: the lease is
 * always held.
 */
import crypto from 'node:crypto';
import type { PhoneSystem, PhoneSystemInput, PhoneSystemStatus } from '@cw/protocol';
import { SipConnector, isSipDomain, parsePeerAddress, type ConnectorStatus, type SipAccount } from '@cw/sip-connector';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { invalid } from '../http/errors.js';
import type { PhoneSystemRecord, Storage } from '../storage/types.js';
import type { SecretBox } from './secret-box.js';
import type { Bus } from '../bus/types.js';
import type { Cluster } from '../cluster/cluster.js';
import { openLease, type Lease } from '../cluster/lease.js';
import type { PhonePresence } from '@cw/sip-connector';

/** The lease name, and the bus topics the holder shares what it hears on. */
export const PHONE_LEASE = 'phone-system';
export const PHONE_PRESENCE_TOPIC = 'phone-presence';
export const PHONE_STATUS_TOPIC = 'phone-status';

export const DEFAULT_PHONE_SYSTEM: Omit<PhoneSystemRecord, 'updatedAt'> = {
  enabled: false,
  registrar: '',
  domain: '',
  username: '',
  authUser: '',
  passwordEnc: '',
  displayName: 'Contact Widgets',
  outboundProxy: '',
  registerIntervalS: 300,
};

export interface PhoneSystemDeps {
  storage: Pick<Storage, 'phoneSystem'>;
  config: Config;
  secrets: SecretBox;
  logger: Logger;
  now: () => number;
  /** a connector made elsewhere (tests); default: one from config */
  connector?: SipConnector;
  /** cluster mode: one process at a time registers (see the module comment) */
  cluster?: Pick<Cluster, 'lease' | 'redis' | 'prefix'> & { bus: Bus };
  /** the lease's ttl, ms (default 5000): how long a dead holder keeps it at most */
  leaseTtlMs?: number;
}

export class PhoneSystemService {
  readonly connector: SipConnector;
  /** tells this process's own settings events from other processes' */
  readonly processId = crypto.randomUUID();
  #settings: Omit<PhoneSystemRecord, 'updatedAt'> = DEFAULT_PHONE_SYSTEM;
  #applying: Promise<void> = Promise.resolve();
  #keyProblem = '';
  #applied = new Set<() => void>();
  #lease?: Lease;
  /** what the PBX says of each watched phone (key → presence), as the holder heard it */
  #presence = new Map<string, PhonePresence>();
  #presenceListeners = new Set<(key: string, p: PhonePresence) => void>();
  /** the holder's status, as it shared it (cluster mode, while another process holds the lease) */
  #shared: PhoneSystemStatus | undefined;
  #statusListeners = new Set<(s: PhoneSystemStatus) => void>();
  #offs: (() => void)[] = [];

  constructor(private readonly deps: PhoneSystemDeps) {
    const { config } = deps;
    this.connector =
      deps.connector ??
      new SipConnector({
        logger: deps.logger,
        userAgent: 'Contact Widgets',
        transport: { udpPort: config.sip.udpPort || undefined, advertisedHost: config.sip.contactHost, rejectUnauthorized: config.sip.tlsVerify },
      });
    const cluster = deps.cluster;
    // In a cluster nobody registers before holding the lease.
    if (cluster) void this.connector.setActive(false);
    this.#offs.push(
      this.connector.onPresence((key, p) => {
        if (!this.holder) return;
        if (!cluster) return this.#heard(key, p);
        cluster.bus.publish(PHONE_PRESENCE_TOPIC, { key, presence: p });
        cluster.redis.hset(this.#key('presence'), key, p).catch((err) => deps.logger.warn({ err: (err as Error).message }, 'could not share a phone presence'));
      }),
      this.connector.onStatus(() => this.#statusChanged()),
    );
    if (cluster)
      this.#offs.push(
        cluster.bus.subscribe(PHONE_PRESENCE_TOPIC, (raw) => {
          const m = raw as { key?: unknown; presence?: unknown };
          if (typeof m?.key === 'string' && typeof m.presence === 'string') this.#heard(m.key, m.presence as PhonePresence);
        }),
        cluster.bus.subscribe(PHONE_STATUS_TOPIC, (raw) => {
          const m = raw as PhoneSystemStatus & { node?: unknown };
          if (!m || typeof m.state !== 'string' || this.holder) return;
          this.#shared = { state: m.state, reason: String(m.reason ?? ''), since: Number(m.since) || 0, ...(m.presence ? { presence: m.presence } : {}) };
          this.#emitStatus();
        }),
      );
  }

  /** Loads the settings, connects when enabled and competes for the lease (held at once by a single process). */
  async start(): Promise<void> {
    const rec = await this.deps.storage.phoneSystem.get();
    if (rec) this.#settings = rec;
    const cluster = this.deps.cluster;
    if (cluster) await this.#loadShared(cluster);
    await this.#apply();
    this.#lease = openLease(cluster, PHONE_LEASE, {
      ...(this.deps.leaseTtlMs ? { ttlMs: this.deps.leaseTtlMs } : {}),
      onAcquired: () => {
        this.deps.logger.info('this process now holds the phone-system registration');
        this.#shared = undefined;
        void this.connector.setActive(true);
        this.#statusChanged();
      },
      onLost: () => {
        this.deps.logger.warn('this process no longer holds the phone-system registration');
        void this.connector.setActive(false).catch((err) => this.deps.logger.warn({ err }, 'unregistering at the hand-over failed'));
      },
    });
    this.#lease.start();
  }

  /** Whether this process holds the registration and subscriptions (always, for a single process). */
  get holder(): boolean {
    return this.#lease?.held ?? !this.deps.cluster;
  }

  /** What the PBX last said of a watched phone (heard by whichever process holds the registration). */
  presenceOf(key: string): PhonePresence | undefined {
    return this.#presence.get(key);
  }

  onPresence(fn: (key: string, p: PhonePresence) => void): () => void {
    this.#presenceListeners.add(fn);
    return () => this.#presenceListeners.delete(fn);
  }

  /** Watches a phone at the PBX (only the holder subscribes; the others keep the list for a take-over). */
  watch(key: string, target: string): void {
    this.connector.watch(key, target);
  }

  unwatch(key: string): void {
    this.connector.unwatch(key);
    this.#presence.delete(key);
    if (this.holder) this.deps.cluster?.redis.hdel(this.#key('presence'), key).catch(() => undefined);
  }

  #heard(key: string, p: PhonePresence): void {
    if (this.#presence.get(key) === p) return;
    this.#presence.set(key, p);
    for (const fn of [...this.#presenceListeners]) {
      try {
        fn(key, p);
      } catch (err) {
        this.deps.logger.error({ err }, 'phone presence listener threw');
      }
    }
  }

  #key(what: 'presence' | 'status'): string {
    return `${this.deps.cluster!.prefix}phone:${what}`;
  }

  /** A process joining a cluster: what the holder has shared so far. */
  async #loadShared(cluster: NonNullable<PhoneSystemDeps['cluster']>): Promise<void> {
    try {
      const [all, status] = await Promise.all([cluster.redis.hgetall(this.#key('presence')), cluster.redis.get(this.#key('status'))]);
      for (const [key, p] of Object.entries(all)) this.#presence.set(key, p as PhonePresence);
      if (status) this.#shared = JSON.parse(status) as PhoneSystemStatus;
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message }, 'could not read the shared phone-system state');
    }
  }

  /** The local connector's status changed: listeners hear it, and a holder shares it. */
  #statusChanged(): void {
    const cluster = this.deps.cluster;
    if (cluster && this.holder) {
      const s = this.#local();
      cluster.bus.publish(PHONE_STATUS_TOPIC, s);
      cluster.redis.set(this.#key('status'), JSON.stringify(s)).catch((err) => this.deps.logger.warn({ err: (err as Error).message }, 'could not share the phone-system status'));
    }
    this.#emitStatus();
  }

  #emitStatus(): void {
    const s = this.status();
    for (const fn of [...this.#statusListeners]) {
      try {
        fn(s);
      } catch (err) {
        this.deps.logger.error({ err }, 'phone status listener threw');
      }
    }
  }

  /** Another process saved new settings: load and apply them. */
  async reload(): Promise<void> {
    const rec = await this.deps.storage.phoneSystem.get();
    if (rec) this.#settings = rec;
    await this.#apply();
  }

  /** Unregisters and closes. */
  async stop(): Promise<void> {
    for (const off of this.#offs.splice(0)) off();
    // Unregister (and wait for the PBX's answer) while still holding the lease, then let another process take it.
    await this.connector.setActive(false).catch(() => undefined);
    await this.#lease?.stop();
    await this.#applying.catch(() => undefined);
    await this.connector.close();
  }

  /** True while the phone system is switched on (calls may go to phones). */
  get enabled(): boolean {
    return this.#settings.enabled && !!this.#settings.domain;
  }

  /** The SIP address a sipId is dialled at (spec 9): as is with an @, else at the domain. */
  addressOf(sipId: string): string {
    return sipId.includes('@') ? sipId : `${sipId}@${this.#settings.domain}`;
  }

  /** Called after each (re)configuration: the domain or on/off may have changed. */
  onApplied(fn: () => void): () => void {
    this.#applied.add(fn);
    return () => this.#applied.delete(fn);
  }

  /** The installation's registration status: this process's when it holds the registration, else the holder's. */
  status(): PhoneSystemStatus {
    const local = this.#local();
    if (!this.holder && this.#shared && local.state !== 'off') return { ...this.#shared };
    return local;
  }

  /** This process's own connector, in the API's words (standby reads as registering). */
  #local(): PhoneSystemStatus {
    const s: ConnectorStatus = this.connector.status();
    if (this.#keyProblem && s.state === 'off' && this.#settings.enabled) return { state: 'failed', reason: this.#keyProblem, since: s.since, presence: s.presence };
    return { state: s.state === 'standby' ? 'registering' : s.state, reason: s.reason, since: s.since, presence: s.presence };
  }

  onStatus(fn: (s: PhoneSystemStatus) => void): () => void {
    this.#statusListeners.add(fn);
    return () => this.#statusListeners.delete(fn);
  }

  /** GET /api/phone-system. */
  view(): PhoneSystem {
    const s = this.#settings;
    let transport: PhoneSystem['transport'] = 'udp';
    try {
      if (s.registrar) transport = parsePeerAddress(s.registrar).transport;
    } catch {
      // shown as stored; PUT validates
    }
    return {
      enabled: s.enabled,
      registrar: s.registrar,
      domain: s.domain,
      username: s.username,
      authUser: s.authUser,
      displayName: s.displayName,
      outboundProxy: s.outboundProxy,
      registerIntervalS: s.registerIntervalS,
      transport,
      hasPassword: s.passwordEnc !== '',
      status: this.status(),
    };
  }

  /**
   * PUT /api/phone-system: validates (400 naming the field), stores, then
   * re-registers with the new settings. A rejected body changes nothing.
   */
  async put(input: PhoneSystemInput): Promise<PhoneSystem> {
    const next: Omit<PhoneSystemRecord, 'updatedAt'> = {
      enabled: input.enabled,
      registrar: input.registrar.trim(),
      domain: input.domain.trim(),
      username: input.username.trim(),
      authUser: (input.authUser ?? '').trim(),
      passwordEnc: input.password === undefined ? this.#settings.passwordEnc : this.deps.secrets.seal(input.password),
      displayName: (input.displayName ?? this.#settings.displayName).trim(),
      outboundProxy: (input.outboundProxy ?? '').trim(),
      registerIntervalS: input.registerIntervalS ?? this.#settings.registerIntervalS,
    };
    validate(next);
    await this.deps.storage.phoneSystem.put({ ...next, updatedAt: this.deps.now() });
    this.#settings = next;
    await this.#apply();
    return this.view();
  }

  /** Serialised: a second PUT waits until the first one's connector is configured. */
  #apply(): Promise<void> {
    const run = async () => {
      this.#keyProblem = '';
      const s = this.#settings;
      if (!s.enabled) return this.connector.configure(null);
      let password = '';
      try {
        password = this.deps.secrets.open(s.passwordEnc);
      } catch (err) {
        this.#keyProblem = 'the stored password cannot be read (SECRETS_KEY or DATA_DIR/secrets.key changed): enter it again';
        this.deps.logger.error({ err: (err as Error).message }, 'phone-system password cannot be decrypted');
        return this.connector.configure(null);
      }
      const account: SipAccount = {
        registrar: s.registrar,
        domain: s.domain,
        username: s.username,
        authUser: s.authUser,
        password,
        displayName: s.displayName,
        outboundProxy: s.outboundProxy,
        registerIntervalS: s.registerIntervalS,
      };
      this.deps.logger.info({ registrar: s.registrar, domain: s.domain, username: s.username }, 'phone system configured');
      await this.connector.configure(account);
    };
    const done = async () => {
      for (const fn of [...this.#applied]) {
        try {
          fn();
        } catch (err) {
          this.deps.logger.error({ err }, 'phone-system listener threw');
        }
      }
    };
    this.#applying = this.#applying.then(run, run).then(done);
    return this.#applying;
  }
}

/** Whether the settings can be used; throws 400 naming the field. Off settings may be incomplete. */
function validate(s: Omit<PhoneSystemRecord, 'updatedAt'>): void {
  const check = (field: 'registrar' | 'outboundProxy', v: string) => {
    try {
      parsePeerAddress(v);
    } catch (err) {
      throw invalid(field, `${field}: ${(err as Error).message}`);
    }
  };
  if (s.registrar) check('registrar', s.registrar);
  if (s.outboundProxy) check('outboundProxy', s.outboundProxy);
  if (s.domain && !isSipDomain(s.domain)) throw invalid('domain', 'domain must be a host name or address such as pbx.example.com');
  if (!s.enabled) return;
  if (!s.registrar) throw invalid('registrar', 'registrar is required when the phone system is enabled');
  if (!s.domain) throw invalid('domain', 'domain is required when the phone system is enabled');
  if (!s.username) throw invalid('username', 'username is required when the phone system is enabled');
}

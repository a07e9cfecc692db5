/**
 * The phone system (spec 9): the stored settings, the SIP connector that
 * uses them, and its live status. `put()` stores and re-registers at once —
 * no restart; off (the default) means nothing is registered and the product
 * works exactly as without a phone system.
 *
 * Cluster mode: every process registers the same account (each its own
 * contact); the PBX then forks a MESSAGE to all of them, and storage's
 * idempotent append (the SIP Call-ID is the message's client id) keeps one.
 */
import crypto from 'node:crypto';
import type { PhoneSystem, PhoneSystemInput, PhoneSystemStatus } from '@cw/protocol';
import { SipConnector, isSipDomain, parsePeerAddress, type ConnectorStatus, type SipAccount } from '@cw/sip-connector';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { invalid } from '../http/errors.js';
import type { PhoneSystemRecord, Storage } from '../storage/types.js';
import type { SecretBox } from './secret-box.js';

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
}

export class PhoneSystemService {
  readonly connector: SipConnector;
  /** tells this process's own settings events from other processes' */
  readonly processId = crypto.randomUUID();
  #settings: Omit<PhoneSystemRecord, 'updatedAt'> = DEFAULT_PHONE_SYSTEM;
  #applying: Promise<void> = Promise.resolve();
  #keyProblem = '';
  #applied = new Set<() => void>();

  constructor(private readonly deps: PhoneSystemDeps) {
    const { config } = deps;
    this.connector =
      deps.connector ??
      new SipConnector({
        logger: deps.logger,
        userAgent: 'Contact Widgets',
        transport: { udpPort: config.sip.udpPort || undefined, advertisedHost: config.sip.contactHost, rejectUnauthorized: config.sip.tlsVerify },
      });
  }

  /** Loads the settings and registers when enabled. */
  async start(): Promise<void> {
    const rec = await this.deps.storage.phoneSystem.get();
    if (rec) this.#settings = rec;
    await this.#apply();
  }

  /** Another process saved new settings: load and apply them. */
  async reload(): Promise<void> {
    const rec = await this.deps.storage.phoneSystem.get();
    if (rec) this.#settings = rec;
    await this.#apply();
  }

  /** Unregisters and closes. */
  async stop(): Promise<void> {
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

  status(): PhoneSystemStatus {
    const s: ConnectorStatus = this.connector.status();
    if (this.#keyProblem && s.state === 'off' && this.#settings.enabled) return { state: 'failed', reason: this.#keyProblem, since: s.since, presence: s.presence };
    return { state: s.state, reason: s.reason, since: s.since, presence: s.presence };
  }

  onStatus(fn: (s: PhoneSystemStatus) => void): () => void {
    return this.connector.onStatus(() => fn(this.status()));
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

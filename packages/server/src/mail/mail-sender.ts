/**
 * Sends the durable mail outbox (spec 11) over SMTP with nodemailer. A mail
 * is a row of `mail_outbox` from the moment it is accepted; it leaves the
 * queue only when the SMTP server took it (250) or when it has failed for
 * `maxAgeMs` (then it stays, marked failed, for admins to see and retry).
 * A failed attempt is retried with exponential backoff (base, doubling, at
 * most an hour, ±10 % jitter). A restart loses nothing: the next start finds
 * the pending rows.
 *
 * Several processes: each mail is claimed with a lock before it is sent
 * (compare-and-set), and in cluster mode only the holder of the
 * `mail-sender` lease runs the pump at all.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { MailRecord, Storage } from '../storage/types.js';
import { CoalescedRun } from '../domain/coalesced-run.js';

export interface MailSenderDeps {
  storage: Pick<Storage, 'mail'>;
  clock: Clock;
  logger: Logger;
  smtpUrl: string | undefined;
  from: string;
  retryBaseMs: number;
  maxAgeMs: number;
  /** how often to look when nothing wakes it (other processes' mails, retries) */
  pollMs?: number;
  /** tests: a transport of their own */
  transport?: Pick<Transporter, 'sendMail' | 'close'>;
}

const LOCK_MS = 120_000;
const BATCH = 10;

export class MailSender {
  #transport: Pick<Transporter, 'sendMail' | 'close'> | undefined;
  #timer: { cancel(): void } | undefined;
  readonly #runs = new CoalescedRun(() => this.#pump(), {
    keepGoing: () => this.#active,
    onError: (err) => this.deps.logger.error({ err }, 'mail outbox failed; looking again soon'),
    onIdle: () => this.#arm(),
  });
  #active = false;
  #lastError = '';

  constructor(private readonly deps: MailSenderDeps) {
    this.#transport =
      deps.transport ??
      (deps.smtpUrl
        ? nodemailer.createTransport({
            url: deps.smtpUrl,
            // Bounded waits: a dead server costs a retry, never a hang.
            connectionTimeout: 10_000,
            greetingTimeout: 10_000,
            socketTimeout: 30_000,
          } as Parameters<typeof nodemailer.createTransport>[0])
        : undefined);
  }

  /** Whether SMTP is configured (without it nothing is sent; mails wait). */
  get configured(): boolean {
    return this.#transport !== undefined;
  }

  /** Whether this process sends mail now (cluster: holds the lease). */
  get active(): boolean {
    return this.#active;
  }

  get lastError(): string {
    return this.#lastError;
  }

  start(): void {
    if (this.#active || !this.#transport) return;
    this.#active = true;
    void this.kick();
  }

  async stop(): Promise<void> {
    this.#active = false;
    this.#timer?.cancel();
    await this.#runs.idle();
  }

  async close(): Promise<void> {
    await this.stop();
    this.#transport?.close();
  }

  /** Look for due mails now (one was queued). */
  kick(): Promise<void> {
    if (!this.#active) return Promise.resolve();
    return this.#runs.request();
  }

  async #pump(): Promise<void> {
    for (;;) {
      if (!this.#active) return;
      const due = await this.deps.storage.mail.claimDue(this.deps.clock.now(), BATCH, LOCK_MS);
      if (!due.length) return;
      for (const m of due) await this.#send(m);
    }
  }

  async #send(m: MailRecord): Promise<void> {
    const { storage, clock, logger } = this.deps;
    try {
      await this.#transport!.sendMail({
        from: this.deps.from,
        to: m.to,
        ...(m.replyTo ? { replyTo: m.replyTo } : {}),
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: `<${m.id}@contact-widgets>`,
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      await storage.mail.markSent(m.id, clock.now());
      this.#lastError = '';
      logger.info({ mail: m.id, kind: m.kind, attempts: m.attempts + 1 }, 'mail sent');
    } catch (err) {
      const error = String((err as Error)?.message ?? err).slice(0, 500);
      this.#lastError = error;
      const now = clock.now();
      const giveUp = now - m.createdAt >= this.deps.maxAgeMs;
      const delay = Math.min(3_600_000, this.deps.retryBaseMs * 2 ** Math.min(m.attempts, 20)) * (0.9 + Math.random() * 0.2);
      await storage.mail.markAttempt(m.id, { error, nextAt: giveUp ? null : now + Math.round(delay) });
      logger.warn({ mail: m.id, kind: m.kind, attempts: m.attempts + 1, err: error, gaveUp: giveUp }, giveUp ? 'mail failed for good' : 'mail not sent; will retry');
    }
  }

  #arm(): void {
    this.#timer?.cancel();
    if (!this.#active) return;
    void (async () => {
      const counts = await this.deps.storage.mail.counts().catch(() => undefined);
      if (!this.#active) return;
      const poll = this.deps.pollMs ?? 5000;
      const now = this.deps.clock.now();
      const ms = counts?.nextAt != null ? Math.max(50, Math.min(poll, counts.nextAt - now)) : poll;
      this.#timer?.cancel();
      this.#timer = this.deps.clock.setTimeout(() => void this.kick(), ms);
    })();
  }
}

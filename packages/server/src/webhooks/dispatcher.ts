/**
 * Delivers queued webhooks: signed POSTs with a timeout, a bounded number at
 * once, retried by the retry policy, in order per chat/call (the queue only
 * ever offers the first pending delivery of an order key). Runs beside the
 * realtime domain and shares nothing with it but the database: a slow or dead
 * receiver costs one of `concurrency` slots for at most `timeoutMs`, never a
 * call's or a chat's time.
 *
 * Several processes may run a dispatcher on one database: each delivery is
 * claimed (compare-and-set with a lease) before it is sent.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Storage, WebhookDeliveryRecord } from '../storage/types.js';
import type { RetryPolicy } from './retry-policy.js';
import { signatureHeader } from './signature.js';

export interface DispatcherDeps {
  storage: Pick<Storage, 'webhooks'>;
  clock: Clock;
  logger: Logger;
  retry: RetryPolicy;
  /** deliveries in flight at most */
  concurrency: number;
  /** per request */
  timeoutMs: number;
  /** how often to look for due deliveries when nothing wakes it (other processes' work, retries) */
  pollMs?: number;
  /** delivered and failed deliveries are kept this long (the delivery log) */
  keepMs?: number;
  fetch?: typeof fetch;
}

export interface AttemptOutcome {
  delivery: string;
  ok: boolean;
  status: number | null;
  error: string;
}

const USER_AGENT = 'ContactWidgets-Webhooks/1.0';

export class WebhookDispatcher {
  #inFlight = new Set<Promise<void>>();
  #timer: { cancel(): void } | undefined;
  #polling = false;
  #again = false;
  #stopped = true;
  #lastPrune = 0;
  #listeners = new Set<(o: AttemptOutcome) => void>();

  constructor(private readonly deps: DispatcherDeps) {}

  start(): void {
    this.#stopped = false;
    this.kick();
  }

  /** Stops taking deliveries and waits for those in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }

  /** Look for due deliveries now (something was queued). */
  kick(): void {
    if (this.#stopped) return;
    void this.#poll();
  }

  /** Deliveries in flight now (a metric). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Called after every attempt (metrics, tests). */
  onAttempt(fn: (o: AttemptOutcome) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  async #poll(): Promise<void> {
    if (this.#polling) {
      this.#again = true;
      return;
    }
    this.#polling = true;
    try {
      do {
        this.#again = false;
        const free = this.deps.concurrency - this.#inFlight.size;
        if (free <= 0 || this.#stopped) break;
        const now = this.deps.clock.now();
        const due = await this.deps.storage.webhooks.due(now, free);
        for (const d of due) {
          if (this.#stopped) break;
          if (!(await this.deps.storage.webhooks.claim(d.id, now, now + this.deps.timeoutMs + 30_000))) continue;
          const p: Promise<void> = this.#deliver(d).finally(() => {
            this.#inFlight.delete(p);
            this.kick();
          });
          this.#inFlight.add(p);
        }
        if (due.length === free) this.#again = true;
      } while (this.#again && !this.#stopped);
      await this.#prune();
      await this.#arm();
    } catch (err) {
      this.deps.logger.error({ err }, 'webhook dispatch failed; trying again shortly');
      this.#schedule(5_000);
    } finally {
      this.#polling = false;
    }
  }

  /** Sleeps until the next pending delivery is due (or the poll interval, whichever is first). */
  async #arm(): Promise<void> {
    if (this.#stopped) return;
    const poll = this.deps.pollMs ?? 30_000;
    const next = await this.deps.storage.webhooks.nextDueAt();
    const wait = next === undefined ? poll : Math.min(poll, Math.max(50, next - this.deps.clock.now()));
    this.#schedule(wait);
  }

  #schedule(ms: number): void {
    this.#timer?.cancel();
    this.#timer = this.deps.clock.setTimeout(() => this.kick(), ms);
  }

  async #prune(): Promise<void> {
    const now = this.deps.clock.now();
    if (now - this.#lastPrune < 3_600_000) return;
    this.#lastPrune = now;
    const n = await this.deps.storage.webhooks.pruneFinished(now - (this.deps.keepMs ?? 14 * 86_400_000));
    if (n) this.deps.logger.info({ removed: n }, 'old webhook deliveries removed');
  }

  async #deliver(d: WebhookDeliveryRecord & { url: string; secret: string }): Promise<void> {
    const attempt = d.attempts + 1;
    let status: number | null = null;
    let error = '';
    try {
      const t = Math.floor(this.deps.clock.now() / 1000);
      const res = await (this.deps.fetch ?? fetch)(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'x-cw-event': d.event,
          'x-cw-delivery': d.id,
          'x-cw-signature': signatureHeader(d.secret, t, d.body),
        },
        body: d.body,
        // A redirect is an answer the receiver should fix, not one to follow with the body and signature.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.deps.timeoutMs),
      });
      status = res.status;
      // Read (a little of) the answer so the connection can be reused; its content does not matter.
      await res.body?.cancel().catch(() => undefined);
      if (status < 200 || status > 299) error = `answered ${status}`;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      error = e.name === 'TimeoutError' ? `no answer within ${this.deps.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
    }
    const now = this.deps.clock.now();
    const ok = error === '';
    try {
      if (ok) await this.deps.storage.webhooks.settle(d.id, { state: 'delivered', lastStatus: status, lastError: '', deliveredAt: now });
      else {
        const delay = this.deps.retry.next(attempt, now - d.createdAt);
        if (delay === null) {
          await this.deps.storage.webhooks.settle(d.id, { state: 'failed', lastStatus: status, lastError: error });
          this.deps.logger.warn({ delivery: d.id, webhook: d.webhookId, event: d.event, attempts: attempt, error }, 'webhook delivery given up');
        } else await this.deps.storage.webhooks.settle(d.id, { state: 'pending', lastStatus: status, lastError: error, nextAt: now + delay });
      }
    } catch (err) {
      // The lease runs out and the delivery is tried again: at least once, never lost.
      this.deps.logger.error({ err, delivery: d.id }, 'could not record a webhook attempt');
    }
    for (const fn of this.#listeners) {
      try {
        fn({ delivery: d.id, ok, status, error });
      } catch (err) {
        this.deps.logger.error({ err }, 'webhook attempt listener threw');
      }
    }
  }
}

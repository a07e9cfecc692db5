/**
 * Turns domain activity into queued deliveries: for every event some active
 * webhook subscribes to, one row per webhook in `webhook_deliveries`.
 *
 * Off the hot path: `handle` only appends to a promise chain and returns; the
 * chain builds the payload (a transcript read for chat.ended) and inserts the
 * rows, in event order, so the order of a chat's or a call's events is the
 * order of their rows. With no webhook interested in an event nothing is read
 * or written at all. The list of webhooks is cached and reloaded on change
 * (and every 30 s, for changes made by other processes).
 *
 * The window in which a crash loses an event is the time between the event
 * and its insert (milliseconds); once inserted, a delivery survives restarts.
 */
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ActivityEvent } from '../domain/activity.js';
import { StorageReferenceError, type NewDelivery, type Storage, type WebhookRecord } from '../storage/types.js';
import { isWebhookEvent, TEST_EVENT, webhookData } from './events.js';

const CACHE_MS = 30_000;

export interface WebhookQueueDeps {
  storage: Pick<Storage, 'webhooks' | 'users' | 'widgets' | 'chats'>;
  clock: Clock;
  logger: Logger;
  /** told after rows were inserted (the dispatcher wakes up) */
  onQueued(): void;
}

/** A delivery id: "dlv_" and 16 random bytes (the body's id and X-CW-Delivery). */
export function newDeliveryId(): string {
  return `dlv_${crypto.randomBytes(16).toString('hex')}`;
}

/** The delivery body: {"id","event","ts","data"} (spec section 12). */
export function deliveryBody(id: string, event: string, ts: number, data: unknown): string {
  return JSON.stringify({ id, event, ts, data });
}

export class WebhookQueue {
  #chain: Promise<void> = Promise.resolve();
  #hooks: { list: WebhookRecord[]; at: number } | undefined;

  constructor(private readonly deps: WebhookQueueDeps) {}

  /** Forget the cached webhook list (a webhook was created, changed or deleted). */
  invalidate(): void {
    this.#hooks = undefined;
  }

  /** An activity event (returns at once; the work runs on the queue's chain). */
  handle(ev: ActivityEvent): void {
    if (!isWebhookEvent(ev.t)) return;
    this.#chain = this.#chain.then(() => this.#enqueue(ev)).catch((err) => this.deps.logger.error({ err, event: ev.t }, 'could not queue webhook deliveries'));
  }

  /** Queues the test event for one webhook (whatever it subscribes to); returns the delivery id. */
  async enqueueTest(hook: WebhookRecord): Promise<string> {
    const id = newDeliveryId();
    const ts = this.deps.clock.now();
    const data = { webhook: { id: hook.id, url: hook.url }, message: 'This is a test event from Contact Widgets.' };
    await this.deps.storage.webhooks.enqueue([{ id, webhookId: hook.id, event: TEST_EVENT, orderKey: `test:${id}`, body: deliveryBody(id, TEST_EVENT, ts, data), createdAt: ts }]);
    this.deps.onQueued();
    return id;
  }

  /** Resolves when every event handed in so far is queued (tests, shutdown). */
  async settled(): Promise<void> {
    let tail: Promise<void>;
    do {
      tail = this.#chain;
      await tail;
    } while (tail !== this.#chain);
  }

  async #subscribers(event: string): Promise<WebhookRecord[]> {
    const now = this.deps.clock.now();
    if (!this.#hooks || now - this.#hooks.at > CACHE_MS) this.#hooks = { list: await this.deps.storage.webhooks.list(), at: now };
    return this.#hooks.list.filter((h) => h.active && h.events.includes(event));
  }

  async #enqueue(ev: ActivityEvent, again = true): Promise<void> {
    const hooks = await this.#subscribers(ev.t);
    if (hooks.length === 0) return;
    const built = await webhookData(this.deps.storage, ev);
    if (!built) return;
    const rows: NewDelivery[] = hooks.map((h) => {
      const id = newDeliveryId();
      return { id, webhookId: h.id, event: built.event, orderKey: built.orderKey, body: deliveryBody(id, built.event, ev.ts, built.data), createdAt: this.deps.clock.now() };
    });
    try {
      await this.deps.storage.webhooks.enqueue(rows);
    } catch (err) {
      // A webhook deleted since the list was cached: read the list again, once.
      if (!(err instanceof StorageReferenceError) || !again) throw err;
      this.invalidate();
      return this.#enqueue(ev, false);
    }
    this.deps.onQueued();
  }
}

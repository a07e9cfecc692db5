/**
 * Prometheus metrics (spec section 12, `GET /metrics`), with prom-client.
 *
 * Two registries: Node's default process metrics (CPU, memory, GC, event-loop
 * lag) are per process and registered once; the product's `cw_*` metrics are
 * per app (a test process runs many apps). Gauges are read when scraped
 * (sockets and calls from memory, open chats and queue depths from the
 * database); counters follow the domain's activity events, the gateways'
 * refused frames and every HTTP answer.
 */
import client from 'prom-client';
import type { Activity } from '../domain/activity.js';
import type { RejectReason } from '../realtime/connection.js';
import type { Storage } from '../storage/types.js';

let processRegistry: client.Registry | undefined;

/** Node's default metrics, once per process. */
function processMetrics(): client.Registry {
  if (!processRegistry) {
    processRegistry = new client.Registry();
    client.collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 10 });
  }
  return processRegistry;
}

/** What the gauges read at scrape time; parts register themselves as they are built. */
export interface MetricSources {
  sockets?: () => { visitors: number; agents: number };
  calls?: () => Record<'pending' | 'ringing' | 'connected', number>;
  webhooksInFlight?: () => number;
  /** depths of other durable queues: "mail" (the e-mail outbox) */
  queues: Map<'mail', () => Promise<number>>;
}

export class Metrics {
  readonly registry = new client.Registry();
  readonly sources: MetricSources = { queues: new Map() };
  readonly #httpDuration: client.Histogram<'method' | 'route' | 'status_code'>;
  readonly #framesRejected: client.Counter<'channel' | 'reason'>;
  readonly #messages: client.Counter;
  readonly #chatsStarted: client.Counter;
  readonly #callsStarted: client.Counter<'media'>;
  readonly #callsEnded: client.Counter<'cause'>;
  readonly #webhookAttempts: client.Counter<'result'>;

  constructor(deps: { storage: Pick<Storage, 'stats' | 'webhooks'>; activity: Activity }) {
    const r = this.registry;
    const sources = this.sources;
    new client.Gauge({
      name: 'cw_visitor_sockets',
      help: 'Open visitor WebSockets (/ws/widget) of this process',
      registers: [r],
      collect() {
        this.set(sources.sockets?.().visitors ?? 0);
      },
    });
    new client.Gauge({
      name: 'cw_agent_sockets',
      help: 'Open agent WebSockets (/ws/agent) of this process',
      registers: [r],
      collect() {
        this.set(sources.sockets?.().agents ?? 0);
      },
    });
    new client.Gauge({
      name: 'cw_calls',
      help: 'Calls of this process by state: pending (waiting for the SDP offer), ringing, connected',
      labelNames: ['state'],
      registers: [r],
      collect() {
        const c = sources.calls?.() ?? { pending: 0, ringing: 0, connected: 0 };
        for (const [state, n] of Object.entries(c)) this.set({ state }, n);
      },
    });
    new client.Gauge({
      name: 'cw_chats',
      help: 'Chats not closed, by state: waiting (for an agent), accepted (open); all processes',
      labelNames: ['state'],
      registers: [r],
      async collect() {
        const c = await deps.storage.stats.openChats();
        this.set({ state: 'waiting' }, c.waiting);
        this.set({ state: 'accepted' }, c.accepted);
      },
    });
    new client.Gauge({
      name: 'cw_webhook_queue_depth',
      help: 'Webhook deliveries waiting to be delivered (including those waiting for a retry)',
      registers: [r],
      async collect() {
        this.set(await deps.storage.webhooks.countPending());
      },
    });
    new client.Gauge({
      name: 'cw_webhook_deliveries_in_flight',
      help: 'Webhook requests of this process waiting for an answer',
      registers: [r],
      collect() {
        this.set(sources.webhooksInFlight?.() ?? 0);
      },
    });
    new client.Gauge({
      name: 'cw_mail_queue_depth',
      help: 'E-mails waiting in the outbox to be sent (including those waiting for a retry)',
      registers: [r],
      async collect() {
        this.set((await sources.queues.get('mail')?.()) ?? 0);
      },
    });
    this.#messages = new client.Counter({ name: 'cw_messages_relayed_total', help: 'Chat messages stored and relayed (visitor and agent)', registers: [r] });
    this.#chatsStarted = new client.Counter({ name: 'cw_chats_started_total', help: 'Chat requests', registers: [r] });
    this.#callsStarted = new client.Counter({ name: 'cw_calls_started_total', help: 'Calls started, by media', labelNames: ['media'], registers: [r] });
    this.#callsEnded = new client.Counter({ name: 'cw_calls_ended_total', help: 'Calls ended, by cause as logged', labelNames: ['cause'], registers: [r] });
    this.#framesRejected = new client.Counter({
      name: 'cw_frames_rejected_total',
      help: 'Inbound WebSocket frames refused: rate-limited, too-large (closed 1009) or bad-request',
      labelNames: ['channel', 'reason'],
      registers: [r],
    });
    this.#webhookAttempts = new client.Counter({
      name: 'cw_webhook_attempts_total',
      help: 'Webhook delivery attempts by result: delivered, failed (will be retried or given up)',
      labelNames: ['result'],
      registers: [r],
    });
    this.#httpDuration = new client.Histogram({
      name: 'cw_http_request_duration_seconds',
      help: 'HTTP answers by method, route pattern and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [r],
    });

    deps.activity.on((ev) => {
      switch (ev.t) {
        case 'chat.message':
          return this.#messages.inc();
        case 'chat.started':
          return this.#chatsStarted.inc();
        case 'call.started':
          return this.#callsStarted.inc({ media: ev.call.video ? 'video' : 'voice' });
        case 'call.ended':
          return this.#callsEnded.inc({ cause: ev.cause });
      }
    });
  }

  /** A refused inbound frame (bound: handed to the gateways as is). */
  readonly frameRejected = (channel: 'visitor' | 'agent', reason: RejectReason): void => {
    this.#framesRejected.inc({ channel, reason });
  };

  webhookAttempt(ok: boolean): void {
    this.#webhookAttempts.inc({ result: ok ? 'delivered' : 'failed' });
  }

  /** One HTTP answer; `route` is the route's pattern (/api/widgets/:uuid), never the raw URL. */
  httpAnswered(method: string, route: string, status: number, seconds: number): void {
    this.#httpDuration.observe({ method, route, status_code: String(status) }, seconds);
  }

  /** The exposition text: process metrics, then the product's. */
  async text(): Promise<string> {
    return `${await processMetrics().metrics()}\n${await this.registry.metrics()}`;
  }

  readonly contentType = client.register.contentType;
}

/**
 * buildApp(deps): assembles the server from injected storage, bus, clock and
 * logger (STYLE habit 2). It does not listen; main.ts and tests do.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { AppContext, AppDeps } from './app-deps.js';
import { systemClock } from './clock.js';
import { MemoryCounterStore } from './limits/counter-store.js';
import { frameworkErrors, registerHttp } from './http/index.js';
import { ConnectionCap } from './http/connection-cap.js';
import { proxyMisconfigWatch, trustFunction } from './http/proxy-trust.js';
import { registerRealtime, type Realtime } from './realtime/index.js';
import { PhoneSystemService } from './phone/phone-system.js';
import { SecretBox } from './phone/secret-box.js';
import { Activity } from './domain/activity.js';
import { DOMAIN_TOPIC } from './bus/types.js';
import { registerWebhooks, type Webhooks } from './webhooks/index.js';
import { Metrics } from './metrics/metrics.js';
import { ContactDesk } from './contact/contact-desk.js';
import { MailSender } from './mail/mail-sender.js';
import { registerSchedules } from './schedules/index.js';

export type { AppContext, AppDeps } from './app-deps.js';

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppContext;
    realtime: Realtime;
    /** the phone-system connector (spec 9); off until an admin turns it on */
    phone: PhoneSystemService;
    /** sees each request and upgrade once, to warn about a proxy that TRUST_PROXY does not name */
    proxyWatch: (req: IncomingMessage) => void;
    /** open connections per client address */
    connectionCap: ConnectionCap;
    webhooks: Webhooks;
    metrics: Metrics;
    /** offline messages, missed contacts, transcripts (spec 11) */
    contact: ContactDesk;
    mail: MailSender;
  }
}

export async function buildApp(input: AppDeps): Promise<FastifyInstance> {
  const clock = input.clock ?? systemClock;
  const deps: AppContext = { clock, counters: input.counters ?? new MemoryCounterStore(clock), activity: input.activity ?? new Activity(input.logger.child({ module: 'activity' })), ...input };
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Hop count or address list (spec 6); Fastify's own number form trusts nobody, so it gets the function.
    trustProxy: deps.config.trustProxy === false ? false : trustFunction(deps.config.trustProxy),
    // A few KiB for most routes (issue 11.7); routes that take pictures or imports raise it for themselves.
    bodyLimit: deps.config.httpBodyLimit,
    // Idle, half-open and slow connections end (issue 11.4). Idle is above the keep-alive timeout (72 s, Fastify's
    // default, itself above common load balancers' 60 s), so that a proxy never reuses a connection we just closed.
    connectionTimeout: deps.config.httpIdleTimeoutS * 1000,
    requestTimeout: deps.config.httpRequestTimeoutS * 1000,
    http: {
      headersTimeout: Math.min(deps.config.httpHeadersTimeoutS, deps.config.httpRequestTimeoutS || Infinity) * 1000,
      // Node enforces the two timeouts above on this tick (30 s by default, which would stretch a 20 s deadline to 50 s).
      connectionsCheckingInterval: Math.min(5000, Math.max(250, (deps.config.httpHeadersTimeoutS * 1000) / 4)),
    },
    // Per-request lines would drown the log (every widget load is a request); errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors,
  });
  app.decorate('deps', deps);
  const metrics = new Metrics({ storage: deps.storage, activity: deps.activity });
  app.decorate('metrics', metrics);
  // Behind a proxy without TRUST_PROXY every visitor shares the proxy's address, and so its limits: say so once.
  const watch = proxyMisconfigWatch(deps.config.trustProxy, (peer) =>
    deps.logger.warn(
      { peer },
      `requests from ${peer} carry X-Forwarded-For, but TRUST_PROXY is not set: every client behind that proxy shares one address (and its sign-in and connection limits). Set TRUST_PROXY=1 (or the proxy's address) — see docs/security.md`,
    ),
  );
  app.server.on('request', watch);
  app.decorate('proxyWatch', watch);
  const cap = new ConnectionCap(deps.config.maxConnectionsPerIp, trustFunction(deps.config.trustProxy));
  app.server.on('connection', cap.onConnection);
  app.decorate('connectionCap', cap);
  const phone = new PhoneSystemService({
    storage: deps.storage,
    config: deps.config,
    secrets: new SecretBox({ key: deps.config.secretsKey, dataDir: deps.config.dataDir }),
    logger: deps.logger.child({ module: 'phone-system' }),
    now: () => deps.clock.now(),
    // Cluster mode: one process at a time registers and watches (a lease in Redis).
    ...(deps.cluster ? { cluster: { lease: deps.cluster.lease.bind(deps.cluster), redis: deps.cluster.redis, prefix: deps.cluster.prefix, bus: deps.bus } } : {}),
  });
  app.decorate('phone', phone);
  // After the sockets drained (their calls ended): unregister from the PBX.
  app.addHook('onClose', async () => phone.stop());
  const mail = new MailSender({
    storage: deps.storage,
    clock: deps.clock,
    logger: deps.logger.child({ module: 'mail' }),
    smtpUrl: deps.config.smtpUrl,
    from: deps.config.mailFrom,
    retryBaseMs: deps.config.mailRetryBaseS * 1000,
    maxAgeMs: deps.config.mailMaxAgeH * 3_600_000,
  });
  app.decorate('mail', mail);
  const contact = new ContactDesk({
    storage: deps.storage,
    clock: deps.clock,
    counters: deps.counters,
    activity: deps.activity,
    logger: deps.logger.child({ module: 'contact' }),
    config: deps.config,
    onMailQueued: () => {
      void mail.kick();
      deps.bus.publish(DOMAIN_TOPIC, { t: 'mail-queued' });
    },
  });
  app.decorate('contact', contact);
  await registerHttp(app, deps);
  const realtime = await registerRealtime(app, deps);
  app.decorate('realtime', realtime);
  await phone.start();
  registerSchedules(app, deps);
  const webhooks = registerWebhooks(app, deps);
  app.decorate('webhooks', webhooks);
  metrics.sources.sockets = realtime.sockets;
  metrics.sources.calls = () => realtime.calls.phases();
  metrics.sources.webhooksInFlight = () => webhooks.dispatcher.inFlight;
  webhooks.dispatcher.onAttempt((o) => metrics.webhookAttempt(o.ok));
  return app;
}

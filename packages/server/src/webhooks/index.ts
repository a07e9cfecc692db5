/**
 * Webhooks wired into the app: the queue listens to the domain's activity,
 * the dispatcher delivers, and both stop after the sockets have drained (so
 * the call.ended events of a shutdown are queued, not lost).
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-deps.js';
import { DOMAIN_TOPIC, type DomainEvent } from '../bus/types.js';
import { WebhookDispatcher } from './dispatcher.js';
import { WebhookQueue } from './queue.js';
import { exponentialRetry } from './retry-policy.js';

export interface Webhooks {
  queue: WebhookQueue;
  dispatcher: WebhookDispatcher;
}

/** Starts the webhook queue and dispatcher for this app. */
export function registerWebhooks(app: FastifyInstance, deps: AppContext): Webhooks {
  const { config, storage, clock } = deps;
  const logger = deps.logger.child({ module: 'webhooks' });
  const dispatcher = new WebhookDispatcher({
    storage,
    clock,
    logger,
    retry: exponentialRetry(config.webhookRetryBaseS * 1000, config.webhookMaxAgeH * 3_600_000),
    concurrency: config.webhookConcurrency,
    timeoutMs: config.webhookTimeoutS * 1000,
  });
  const queue = new WebhookQueue({ storage, clock, logger, onQueued: () => dispatcher.kick() });
  const offActivity = deps.activity.on((ev) => queue.handle(ev));
  const offDomain = deps.bus.subscribe(DOMAIN_TOPIC, (ev) => {
    if ((ev as DomainEvent)?.t === 'webhooks-changed') queue.invalidate();
  });
  // After listen: nothing is delivered by an app that never serves (a test's buildApp without listen still works).
  app.addHook('onReady', async () => dispatcher.start());
  app.addHook('onClose', async () => {
    await app.realtime?.drain();
    offActivity();
    offDomain();
    await queue.settled();
    await dispatcher.stop();
  });
  return { queue, dispatcher };
}

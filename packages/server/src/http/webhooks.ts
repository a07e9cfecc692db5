/**
 * Webhooks (admin, spec section 12): register URLs for events, the delivery
 * log, "send test event", retrying a failed delivery and rotating the
 * secret. The secret is shown only when it is made.
 */
import type { FastifyInstance } from 'fastify';
import { IdParams, Webhook, WebhookCreated, WebhookDeliveriesQuery, WebhookDelivery, WebhookDeliveryDetail, WebhookDeliveryParams, WebhookInput } from '@cw/protocol/api';
import type { WebhookDeliveryRecord, WebhookRecord } from '../storage/types.js';
import { newWebhookSecret } from '../webhooks/signature.js';
import { invalid, notFound } from './errors.js';
import { publish } from './events.js';
import { arrayOf, defineRoute, errs, type HttpCtx } from './route.js';

/** A webhook as the API shows it: never the secret. */
export function webhookView(w: WebhookRecord): Webhook {
  return { id: w.id, url: w.url, events: w.events as Webhook['events'], active: w.active, description: w.description, createdAt: w.createdAt, updatedAt: w.updatedAt };
}

function deliveryView(d: WebhookDeliveryRecord): WebhookDelivery {
  return {
    id: d.id,
    event: d.event,
    state: d.state,
    attempts: d.attempts,
    createdAt: d.createdAt,
    lastAttemptAt: d.lastAttemptAt,
    nextAttemptAt: d.state === 'pending' ? d.nextAt : null,
    deliveredAt: d.deliveredAt,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
  };
}

/** Registers the webhook routes. */
export async function webhookRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage, bus, clock } = ctx.deps;
  const load = async (id: string) => {
    const w = await storage.webhooks.get(id);
    // The audit trail compares the secret (masked) so that a rotation shows.
    return w && { ...webhookView(w), secret: w.secret };
  };
  const changed = () => publish(bus, { t: 'webhooks-changed' });
  const mustExist = async (id: string) => {
    const w = await storage.webhooks.get(id);
    if (!w) throw notFound('webhook');
    return w;
  };
  const checkEvents = (events: string[]) => {
    if (events.length === 0) throw invalid('events', 'events must name at least one event');
  };

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/webhooks', tag: 'webhooks', summary: 'All webhooks (without secrets)', access: 'admin', responses: { 200: { description: 'Webhooks', schema: arrayOf(Webhook) }, ...errs(401, 403) } },
    async () => (await storage.webhooks.list()).map(webhookView),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/webhooks',
      tag: 'webhooks',
      summary: 'Register a webhook; the answer holds its signing secret, shown only this once',
      access: 'admin',
      audit: { action: 'webhook.create', load },
      body: WebhookInput,
      responses: { 201: { description: 'Created, with the secret', schema: WebhookCreated }, ...errs(400, 401, 403) },
    },
    async (req, reply) => {
      checkEvents(req.body.events);
      const w = await storage.webhooks.create({ ...req.body, secret: newWebhookSecret() });
      changed();
      return reply.code(201).header('cache-control', 'no-store').send({ ...webhookView(w), secret: w.secret });
    },
  );

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/webhooks/:id', tag: 'webhooks', summary: 'One webhook', access: 'admin', params: IdParams, responses: { 200: { description: 'The webhook', schema: Webhook }, ...errs(401, 403, 404) } },
    async (req) => webhookView(await mustExist(req.params.id)),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'PUT',
      url: '/api/webhooks/:id',
      tag: 'webhooks',
      summary: 'Replace a webhook’s URL, events, active state and description (the secret stays)',
      access: 'admin',
      audit: { action: 'webhook.update', load },
      params: IdParams,
      body: WebhookInput,
      responses: { 200: { description: 'The webhook', schema: Webhook }, ...errs(400, 401, 403, 404) },
    },
    async (req) => {
      checkEvents(req.body.events);
      const w = await storage.webhooks.update(req.params.id, req.body);
      if (!w) throw notFound('webhook');
      changed();
      return webhookView(w);
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'DELETE',
      url: '/api/webhooks/:id',
      tag: 'webhooks',
      summary: 'Delete a webhook and its delivery log (queued deliveries are dropped)',
      access: 'admin',
      audit: { action: 'webhook.delete', load },
      params: IdParams,
      responses: { 204: { description: 'Deleted' }, ...errs(401, 403, 404) },
    },
    async (req, reply) => {
      if (!(await storage.webhooks.delete(req.params.id))) throw notFound('webhook');
      changed();
      return reply.code(204).send();
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/webhooks/:id/secret',
      tag: 'webhooks',
      summary: 'Make a new signing secret (the old one stops working at once); shown only this once',
      access: 'admin',
      audit: { action: 'webhook.rotate-secret', load },
      params: IdParams,
      responses: { 200: { description: 'The webhook with its new secret', schema: WebhookCreated }, ...errs(401, 403, 404) },
    },
    async (req, reply) => {
      const w = await storage.webhooks.update(req.params.id, { secret: newWebhookSecret() });
      if (!w) throw notFound('webhook');
      changed();
      return reply.header('cache-control', 'no-store').send({ ...webhookView(w), secret: w.secret });
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/webhooks/:id/test',
      tag: 'webhooks',
      summary: 'Send a test event (webhook.test) to the webhook now; it shows in the delivery log',
      access: 'admin',
      params: IdParams,
      responses: { 202: { description: 'Queued', schema: WebhookDelivery }, ...errs(401, 403, 404) },
    },
    async (req, reply) => {
      const w = await mustExist(req.params.id);
      const id = await app.webhooks.queue.enqueueTest(w);
      const d = await storage.webhooks.getDelivery(id);
      return reply.code(202).send(deliveryView(d!));
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/webhooks/:id/deliveries',
      tag: 'webhooks',
      summary: 'The delivery log, newest first (kept 14 days)',
      access: 'admin',
      params: IdParams,
      query: WebhookDeliveriesQuery,
      responses: { 200: { description: 'Deliveries', schema: arrayOf(WebhookDelivery) }, ...errs(400, 401, 403, 404) },
    },
    async (req) => {
      await mustExist(req.params.id);
      return (await storage.webhooks.listDeliveries(req.params.id, req.query.limit)).map(deliveryView);
    },
  );

  const delivery = async (hook: string, id: string) => {
    const d = await storage.webhooks.getDelivery(id);
    if (!d || d.webhookId !== hook) throw notFound('delivery');
    return d;
  };

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/webhooks/:id/deliveries/:delivery',
      tag: 'webhooks',
      summary: 'One delivery with the body sent',
      access: 'admin',
      params: WebhookDeliveryParams,
      responses: { 200: { description: 'The delivery', schema: WebhookDeliveryDetail }, ...errs(401, 403, 404) },
    },
    async (req) => {
      const d = await delivery(req.params.id, req.params.delivery);
      return { ...deliveryView(d), body: d.body };
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/webhooks/:id/deliveries/:delivery/retry',
      tag: 'webhooks',
      summary: 'Queue a failed (given up) delivery again, same id and body',
      access: 'admin',
      params: WebhookDeliveryParams,
      responses: { 200: { description: 'The delivery, pending again', schema: WebhookDelivery }, ...errs(401, 403, 404, 409) },
    },
    async (req) => {
      const d = await delivery(req.params.id, req.params.delivery);
      if (d.state !== 'failed' || !(await storage.webhooks.retry(d.id, clock.now()))) throw invalid('delivery', `Only a failed delivery can be retried; this one is ${d.state}.`);
      app.webhooks.dispatcher.kick();
      return deliveryView((await storage.webhooks.getDelivery(d.id))!);
    },
  );
}

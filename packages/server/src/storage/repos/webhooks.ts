/**
 * Webhooks and their durable delivery queue. The queue is a table, so a
 * restart loses nothing queued; several processes may work it, each
 * delivery taken by a compare-and-set "claim" with a lease. Deliveries that
 * share an order key (one chat, one call) go out strictly one after another:
 * only the first pending one of a key is ever due.
 */
import { sql, type Selectable, type Updateable } from 'kysely';
import type { WebhookDeliveriesTable, WebhooksTable } from '../schema.js';
import type { DeliveryState, WebhookDeliveryRecord, WebhookRecord, WebhookRepo } from '../types.js';
import { guard, newId, num, numOrNull, type RepoContext } from '../util.js';

function toWebhook(r: Selectable<WebhooksTable>): WebhookRecord {
  return {
    id: r.id,
    url: r.url,
    secret: r.secret,
    events: JSON.parse(r.events) as string[],
    active: r.active !== 0,
    description: r.description,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

function toDelivery(r: Selectable<WebhookDeliveriesTable>): WebhookDeliveryRecord {
  return {
    id: r.id,
    webhookId: r.webhook_id,
    event: r.event,
    orderKey: r.order_key,
    body: r.body,
    state: r.state as DeliveryState,
    attempts: r.attempts,
    nextAt: num(r.next_at),
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: num(r.created_at),
    lastAttemptAt: numOrNull(r.last_attempt_at),
    deliveredAt: numOrNull(r.delivered_at),
  };
}

/** Builds the webhook repo. */
export function webhookRepo(ctx: RepoContext): WebhookRepo {
  const get = async (id: string) => {
    const r = await ctx.db().selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toWebhook(r);
  };
  return {
    async create(w) {
      const now = ctx.now();
      const rec: WebhookRecord = {
        id: w.id || newId(),
        url: w.url,
        secret: w.secret,
        events: [...w.events],
        active: w.active,
        description: w.description,
        createdAt: w.createdAt ?? now,
        updatedAt: w.updatedAt ?? now,
      };
      await guard(() =>
        ctx
          .db()
          .insertInto('webhooks')
          .values({
            id: rec.id,
            url: rec.url,
            secret: rec.secret,
            events: JSON.stringify(rec.events),
            active: rec.active ? 1 : 0,
            description: rec.description,
            created_at: rec.createdAt,
            updated_at: rec.updatedAt,
          })
          .execute(),
      );
      return rec;
    },
    get,
    async list() {
      const rows = await ctx.db().selectFrom('webhooks').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toWebhook);
    },
    async update(id, p) {
      const cols: Updateable<WebhooksTable> = { updated_at: ctx.now() };
      if (p.url !== undefined) cols.url = p.url;
      if (p.secret !== undefined) cols.secret = p.secret;
      if (p.events !== undefined) cols.events = JSON.stringify(p.events);
      if (p.active !== undefined) cols.active = p.active ? 1 : 0;
      if (p.description !== undefined) cols.description = p.description;
      const res = await ctx.db().updateTable('webhooks').set(cols).where('id', '=', id).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return undefined;
      return get(id);
    },
    async delete(id) {
      // Deliveries go with it (foreign key, on delete cascade); deleted explicitly too, for databases with FKs off.
      await ctx.db().deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
      const res = await ctx.db().deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async enqueue(ds) {
      if (ds.length === 0) return;
      // One statement per 200 rows: SQLite allows 32,766 parameters, PostgreSQL 65,535.
      for (let i = 0; i < ds.length; i += 200) {
        await guard(() =>
          ctx
            .db()
            .insertInto('webhook_deliveries')
            .values(
              ds.slice(i, i + 200).map((d) => ({
                id: d.id,
                webhook_id: d.webhookId,
                event: d.event,
                order_key: d.orderKey,
                body: d.body,
                state: 'pending',
                attempts: 0,
                next_at: d.createdAt,
                locked_until: null,
                last_status: null,
                last_error: '',
                created_at: d.createdAt,
                last_attempt_at: null,
                delivered_at: null,
              })),
            )
            .execute(),
        );
      }
    },
    async due(now, limit) {
      const rows = await ctx
        .db()
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
        .selectAll('d')
        .select(['w.url', 'w.secret'])
        .where('d.state', '=', 'pending')
        .where('d.next_at', '<=', now)
        .where((eb) => eb.or([eb('d.locked_until', 'is', null), eb('d.locked_until', '<=', now)]))
        .where('w.active', '=', 1)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('webhook_deliveries as e')
                .select(sql<number>`1`.as('one'))
                .whereRef('e.webhook_id', '=', 'd.webhook_id')
                .whereRef('e.order_key', '=', 'd.order_key')
                .where('e.state', '=', 'pending')
                .whereRef('e.seq', '<', 'd.seq'),
            ),
          ),
        )
        .orderBy('d.seq')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ ...toDelivery(r), url: r.url, secret: r.secret }));
    },
    async claim(id, now, lockUntil) {
      const res = await ctx
        .db()
        .updateTable('webhook_deliveries')
        .set((eb) => ({ locked_until: lockUntil, attempts: eb('attempts', '+', 1), last_attempt_at: now }))
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    async settle(id, r) {
      await ctx
        .db()
        .updateTable('webhook_deliveries')
        .set({
          state: r.state,
          last_status: r.lastStatus,
          last_error: r.lastError.slice(0, 500),
          locked_until: null,
          ...(r.nextAt !== undefined ? { next_at: r.nextAt } : {}),
          ...(r.deliveredAt !== undefined ? { delivered_at: r.deliveredAt } : {}),
        })
        .where('id', '=', id)
        .execute();
    },
    async nextDueAt() {
      const r = await ctx.db().selectFrom('webhook_deliveries').select(sql<number | string | null>`min(next_at)`.as('t')).where('state', '=', 'pending').executeTakeFirst();
      return r?.t === null || r?.t === undefined ? undefined : num(r.t);
    },
    async getDelivery(id) {
      const r = await ctx.db().selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toDelivery(r);
    },
    async listDeliveries(webhookId, limit) {
      const rows = await ctx
        .db()
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('webhook_id', '=', webhookId)
        .orderBy('seq', 'desc')
        .limit(Math.max(0, Math.floor(limit)))
        .execute();
      return rows.map(toDelivery);
    },
    async retry(id, now) {
      const res = await ctx
        .db()
        .updateTable('webhook_deliveries')
        .set({ state: 'pending', next_at: now, locked_until: null })
        .where('id', '=', id)
        .where('state', '=', 'failed')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    async countPending() {
      const r = await ctx.db().selectFrom('webhook_deliveries').select(sql<number | string>`count(*)`.as('n')).where('state', '=', 'pending').executeTakeFirst();
      return num(r?.n ?? 0);
    },
    async pruneFinished(ts) {
      const res = await ctx.db().deleteFrom('webhook_deliveries').where('state', 'in', ['delivered', 'failed']).where('created_at', '<', ts).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}

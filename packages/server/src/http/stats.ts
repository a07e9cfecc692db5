/** GET /api/stats (admin): statistics per widget, agent or group (spec section 12; stats/stats-service.ts). */
import type { FastifyInstance } from 'fastify';
import { Stats, StatsQuery } from '@cw/protocol/api';
import { StatsInputError, StatsService } from '../stats/stats-service.js';
import { isTimeZone, offsetAt } from '../stats/time-zone.js';
import { HttpError, invalid } from './errors.js';
import { defineRoute, errs, type HttpCtx } from './route.js';

const DAY = 86_400_000;

/**
 * An instant from the query: epoch ms, an ISO time with its zone, or a bare
 * date, which means that day's midnight in `tz` (so "?from=2026-03-01&tz=Europe/Berlin" is what an admin means).
 */
export function parseInstant(text: string, tz: string, field: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (date) {
    const utc = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
    if (Number.isNaN(utc)) throw invalid(field, `${field} is not a real date`);
    const guess = utc - offsetAt(tz, utc);
    return utc - offsetAt(tz, guess);
  }
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw invalid(field, `${field} is not a real time`);
  return t;
}

/** Registers the statistics route. */
export async function statsRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage, clock } = ctx.deps;
  const service = new StatsService({ storage });

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/stats',
      tag: 'statistics',
      summary: 'Chats, calls and offline messages, answered and missed, answer times, busiest hours and agent load, bucketed by hour or day in a time zone',
      access: 'admin',
      query: StatsQuery,
      responses: { 200: { description: 'The statistics', schema: Stats }, ...errs(400, 401, 403, 404) },
    },
    async (req) => {
      const q = req.query;
      if (!isTimeZone(q.tz)) throw invalid('tz', 'tz must be an IANA time zone such as Europe/Berlin or UTC');
      const to = q.to !== undefined ? parseInstant(q.to, q.tz, 'to') : clock.now();
      const from = q.from !== undefined ? parseInstant(q.from, q.tz, 'from') : to - 7 * DAY;
      try {
        return await service.query({ from, to, bucket: q.bucket, tz: q.tz, widget: q.widget, agent: q.agent, group: q.group });
      } catch (err) {
        if (err instanceof StatsInputError) throw err.notFound ? new HttpError('not-found', err.message) : invalid(err.field, err.message);
        throw err;
      }
    },
  );
}

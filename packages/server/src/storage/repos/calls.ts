/** The call log: one row per call attempt, updated as it is answered and ends. */
import type { Selectable, Updateable } from 'kysely';
import type { CallLogTable } from '../schema.js';
import type { CallLogRecord, CallLogRepo } from '../types.js';
import { guard, newId, num, numOrNull, precompiled, visitorOf, type RepoContext } from '../util.js';

function toCall(r: Selectable<CallLogTable>): CallLogRecord {
  return {
    id: r.id,
    widgetUuid: r.widget_uuid,
    dest: r.dest,
    visitorDn: r.visitor_dn,
    video: r.video !== 0,
    agentUserId: r.agent_user_id,
    startedAt: num(r.started_at),
    answeredAt: numOrNull(r.answered_at),
    endedAt: numOrNull(r.ended_at),
    cause: r.cause,
    answeredVia: (r.answered_via ?? null) as CallLogRecord['answeredVia'],
    ...visitorOf(r.visitor_context),
    visitorSession: r.visitor_session ?? '',
  };
}

function toColumns(p: Partial<Omit<CallLogRecord, 'id'>>): Updateable<CallLogTable> {
  const c: Updateable<CallLogTable> = {};
  if (p.widgetUuid !== undefined) c.widget_uuid = p.widgetUuid;
  if (p.dest !== undefined) c.dest = p.dest;
  if (p.visitorDn !== undefined) c.visitor_dn = p.visitorDn;
  if (p.video !== undefined) c.video = p.video ? 1 : 0;
  if (p.agentUserId !== undefined) c.agent_user_id = p.agentUserId;
  if (p.startedAt !== undefined) c.started_at = p.startedAt;
  if (p.answeredAt !== undefined) c.answered_at = p.answeredAt;
  if (p.endedAt !== undefined) c.ended_at = p.endedAt;
  if (p.cause !== undefined) c.cause = p.cause;
  if (p.answeredVia !== undefined) c.answered_via = p.answeredVia;
  return c;
}

/** Builds the call log repo. */
export function callLogRepo(ctx: RepoContext): CallLogRepo {
  const get = async (id: string) => {
    const r = await ctx.db().selectFrom('call_log').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toCall(r);
  };
  // One row per call attempt, written while calls are being set up (compiled once, see precompiled).
  const insert = precompiled(ctx, (db, p) =>
    db.insertInto('call_log').values({
      id: p(0),
      widget_uuid: p(1),
      dest: p(2),
      visitor_dn: p(3),
      video: p(4),
      agent_user_id: p(5),
      started_at: p(6),
      answered_at: p(7),
      ended_at: p(8),
      cause: p(9),
      visitor_context: p(10),
      visitor_session: p(11),
    }),
  );
  return {
    async create(c) {
      const rec: CallLogRecord = {
        id: c.id || newId(),
        widgetUuid: c.widgetUuid,
        dest: c.dest,
        visitorDn: c.visitorDn,
        video: !!c.video,
        agentUserId: c.agentUserId ?? null,
        startedAt: c.startedAt,
        answeredAt: c.answeredAt ?? null,
        endedAt: c.endedAt ?? null,
        cause: c.cause ?? null,
        answeredVia: c.answeredVia ?? null,
        ...(c.visitor ? { visitor: c.visitor } : {}),
        visitorSession: c.visitorSession ?? '',
      };
      await guard(() =>
        insert(rec.id, rec.widgetUuid, rec.dest, rec.visitorDn, rec.video ? 1 : 0, rec.agentUserId, rec.startedAt, rec.answeredAt, rec.endedAt, rec.cause, rec.visitor ? JSON.stringify(rec.visitor) : '', rec.visitorSession ?? ''),
      );
      return rec;
    },
    async update(id, patch) {
      const cols = toColumns(patch);
      if (Object.keys(cols).length === 0) return (await get(id)) !== undefined;
      const res = await ctx.db().updateTable('call_log').set(cols).where('id', '=', id).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    get,
    async list(limit, filter = {}) {
      const { party, answered, from } = filter;
      let q = ctx.db().selectFrom('call_log').selectAll();
      if (party) {
        q = q.where((eb) =>
          eb.or([
            eb('agent_user_id', '=', party.agentUserId),
            ...(party.dests.length ? [eb.and([eb('agent_user_id', 'is', null), eb('dest', 'in', party.dests)])] : []),
          ]),
        );
      }
      if (answered !== undefined) q = q.where('answered_at', answered ? 'is not' : 'is', null);
      if (from !== undefined) q = q.where('started_at', '>=', from);
      const rows = await q
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.max(0, Math.floor(limit)))
        .execute();
      return rows.map(toCall);
    },
  };
}

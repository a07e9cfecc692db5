/** Visitor sessions and agents' presence: small upserted rows. */
import type { Presence } from '@cw/protocol';
import type { PresenceRecord, PresenceRepo, VisitorSessionRepo } from '../types.js';
import { num, precompiled, type RepoContext } from '../util.js';

/** Builds the visitor session repo. */
export function visitorSessionRepo(ctx: RepoContext): VisitorSessionRepo {
  return {
    async upsert(s) {
      await ctx
        .db()
        .insertInto('visitor_sessions')
        .values({ token: s.token, widget_uuid: s.widgetUuid, last_active: s.lastActive })
        .onConflict((oc) => oc.column('token').doUpdateSet({ widget_uuid: s.widgetUuid, last_active: s.lastActive }))
        .execute();
    },
    async get(token) {
      const r = await ctx.db().selectFrom('visitor_sessions').selectAll().where('token', '=', token).executeTakeFirst();
      return r && { token: r.token, widgetUuid: r.widget_uuid, lastActive: num(r.last_active) };
    },
    async touch(token, now) {
      await ctx.db().updateTable('visitor_sessions').set({ last_active: now }).where('token', '=', token).execute();
    },
    async deleteOlderThan(ts) {
      const res = await ctx.db().deleteFrom('visitor_sessions').where('last_active', '<', ts).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}

/** Builds the presence repo. */
export function presenceRepo(ctx: RepoContext): PresenceRepo {
  const toPresence = (r: { user_id: string; presence: string; source: string; updated_at: number | string }): PresenceRecord => ({
    userId: r.user_id,
    presence: r.presence as Presence,
    source: r.source as PresenceRecord['source'],
    updatedAt: num(r.updated_at),
  });
  // Every presence change writes this (compiled once, see precompiled).
  const upsert = precompiled(ctx, (db, p) =>
    db
      .insertInto('presence')
      .values({ user_id: p(0), presence: p(1), source: p(2), updated_at: p(3) })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ presence: p(1), source: p(2), updated_at: p(3) })),
  );
  return {
    async get(userId) {
      const r = await ctx.db().selectFrom('presence').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return r && toPresence(r);
    },
    async set(p) {
      await upsert(p.userId, p.presence, p.source, p.updatedAt);
    },
    async list() {
      const rows = await ctx.db().selectFrom('presence').selectAll().orderBy('user_id').execute();
      return rows.map(toPresence);
    },
  };
}

/** Visitor sessions and agents' presence: small upserted rows. */
import type { Presence } from '@cw/protocol';
import type { PresenceRecord, PresenceRepo, VisitorSessionRepo } from '../types.js';
import { num, type RepoContext } from '../util.js';

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
  return {
    async get(userId) {
      const r = await ctx.db().selectFrom('presence').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return r && toPresence(r);
    },
    async set(p) {
      const row = { presence: p.presence, source: p.source, updated_at: p.updatedAt };
      await ctx
        .db()
        .insertInto('presence')
        .values({ user_id: p.userId, ...row })
        .onConflict((oc) => oc.column('user_id').doUpdateSet(row))
        .execute();
    },
    async list() {
      const rows = await ctx.db().selectFrom('presence').selectAll().orderBy('user_id').execute();
      return rows.map(toPresence);
    },
  };
}

/** The audit trail: append and list, nothing else (see AuditRepo). */
import { sql, type Selectable } from 'kysely';
import type { AuditLogTable } from '../schema.js';
import type { AuditRecord, AuditRepo } from '../types.js';
import { guard, newId, num, type RepoContext } from '../util.js';

function toEntry(r: Selectable<AuditLogTable>): AuditRecord {
  return {
    id: r.id,
    ts: num(r.ts),
    actor: { id: r.actor_id, username: r.actor_username, via: r.actor_via as AuditRecord['actor']['via'] },
    ip: r.ip,
    action: r.action,
    target: r.target,
    targetName: r.target_name,
    diff: JSON.parse(r.diff) as Record<string, unknown>,
  };
}

/** Builds the audit repo. */
export function auditRepo(ctx: RepoContext): AuditRepo {
  return {
    async append(e) {
      const rec: AuditRecord = { ...e, id: newId() };
      await guard(() =>
        ctx
          .db()
          .insertInto('audit_log')
          .values({
            id: rec.id,
            ts: rec.ts,
            actor_id: rec.actor.id,
            actor_username: rec.actor.username,
            actor_via: rec.actor.via,
            ip: rec.ip,
            action: rec.action,
            target: rec.target,
            target_name: rec.targetName,
            diff: JSON.stringify(rec.diff),
          })
          .execute(),
      );
      return rec;
    },
    async list(f) {
      let q = ctx.db().selectFrom('audit_log').selectAll();
      if (f.from !== undefined) q = q.where('ts', '>=', f.from);
      if (f.to !== undefined) q = q.where('ts', '<', f.to);
      if (f.actor !== undefined) q = q.where('actor_username', '=', f.actor);
      if (f.action !== undefined)
        q = f.action.endsWith('.')
          ? q.where(sql<boolean>`substr(action, 1, ${f.action.length}) = ${f.action}`)
          : q.where('action', '=', f.action);
      if (f.target !== undefined) q = q.where('target', '=', f.target);
      if (f.before !== undefined) {
        const b = await ctx.db().selectFrom('audit_log').select('seq').where('id', '=', f.before).executeTakeFirst();
        if (b) q = q.where('seq', '<', b.seq);
      }
      const rows = await q.orderBy('seq', 'desc').limit(Math.max(0, Math.floor(f.limit))).execute();
      return rows.map(toEntry);
    },
  };
}

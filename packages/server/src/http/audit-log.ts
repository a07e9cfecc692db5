/** GET /api/audit (admin): the audit trail, newest first, filtered. It has no route that changes it. */
import type { FastifyInstance } from 'fastify';
import { AuditEntry, AuditQuery } from '@cw/protocol/api';
import { arrayOf, defineRoute, errs, type HttpCtx } from './route.js';
import { parseInstant } from './stats.js';

/** Registers the audit trail route. */
export async function auditRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage } = ctx.deps;
  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/audit',
      tag: 'audit',
      summary: 'Who changed what, when and from where, with field-level diffs (secrets masked); newest first',
      access: 'admin',
      query: AuditQuery,
      responses: { 200: { description: 'Entries', schema: arrayOf(AuditEntry) }, ...errs(400, 401, 403) },
    },
    async (req) => {
      const q = req.query;
      return storage.audit.list({
        from: q.from !== undefined ? parseInstant(q.from, 'UTC', 'from') : undefined,
        to: q.to !== undefined ? parseInstant(q.to, 'UTC', 'to') : undefined,
        actor: q.actor,
        action: q.action,
        target: q.target,
        before: q.before,
        limit: q.limit,
      });
    },
  );
}

/** GET /api/directory?q= — users and groups by name or sipId, for the admin's agent dialog and the console. */
import type { FastifyInstance } from 'fastify';
import { DirectoryEntry, DirectoryQuery } from '@cw/protocol/api';
import { arrayOf, defineRoute, errs, type HttpCtx } from './route.js';

const LIMIT = 50;

/** Registers the directory route. */
export async function directoryRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage } = ctx.deps;
  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/directory',
      tag: 'directory',
      summary: 'Search users and groups by name or sipId (admins and agents)',
      access: 'any',
      query: DirectoryQuery,
      responses: { 200: { description: 'Hits, users first', schema: arrayOf(DirectoryEntry) }, ...errs(400, 401) },
    },
    async (req) => {
      const q = req.query.q?.trim() ?? '';
      const [users, groups] = await Promise.all([storage.users.search(q, LIMIT), storage.groups.search(q, LIMIT)]);
      const out: DirectoryEntry[] = [
        ...users.map((user): DirectoryEntry => ({ kind: 'user', id: user.id, sipId: user.sipId, name: user.displayName || user.username, department: user.department, email: user.email, phone: user.phone })),
        ...groups.map((group): DirectoryEntry => ({ kind: 'group', id: group.id, sipId: group.sipId, name: group.name })),
      ];
      return out.slice(0, LIMIT);
    },
  );
}

/** Groups (admin): GET/POST /api/groups, GET/PATCH/DELETE /api/groups/:id. */
import type { FastifyInstance } from 'fastify';
import { Group, GroupCreate, GroupPatch, IdParams } from '@cw/protocol/api';
import type { Storage } from '../storage/types.js';
import { HttpError, invalid, notFound } from './errors.js';
import { publish } from './events.js';
import { arrayOf, defineRoute, errs, type HttpCtx } from './route.js';
import { conflictFrom } from './users.js';
import { groupView } from './views.js';

type Tx = Omit<Storage, 'transaction' | 'close' | 'ping'>;

async function checkGroup(tx: Tx, group: { sipId?: string; members?: string[] }, selfId?: string): Promise<void> {
  if (group.sipId !== undefined) {
    const other = await tx.groups.getBySipId(group.sipId);
    if (other && other.id !== selfId) throw new HttpError('conflict', `The SIP-ID "${group.sipId}" is already taken by a group.`, 'sipId');
    if (await tx.users.getBySipId(group.sipId)) throw new HttpError('conflict', `The SIP-ID "${group.sipId}" belongs to a user.`, 'sipId');
  }
  if (group.members) {
    for (let i = 0; i < group.members.length; i++)
      if (!(await tx.users.get(group.members[i]!))) throw invalid(`members[${i}]`, `members[${i}] is not an existing user id`);
  }
}

/** Room for a few thousand member ids; most routes allow far less (HTTP_BODY_LIMIT). */
const GROUP_BODY_LIMIT = 256 * 1024;

/** Registers the group routes. */
export async function groupRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage, bus } = ctx.deps;

  const loadGroup = async (id: string) => {
    const g = await storage.groups.get(id);
    return g && groupView(g);
  };

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/groups', tag: 'groups', summary: 'All groups', access: 'admin', responses: { 200: { description: 'Groups', schema: arrayOf(Group) }, ...errs(401, 403) } },
    async () => (await storage.groups.list()).map(groupView),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/groups',
      tag: 'groups',
      summary: 'Create a group; calls and chats to its sipId go to all online members',
      access: 'admin',
      audit: { action: 'group.create', load: loadGroup },
      // A group may list many members (about 40 bytes each).
      bodyLimit: GROUP_BODY_LIMIT,
      body: GroupCreate,
      responses: { 201: { description: 'Created', schema: Group }, ...errs(400, 401, 403, 409) },
    },
    async (req, reply) => {
      const input = req.body;
      const group = await storage
        .transaction(async (tx) => {
          await checkGroup(tx, input);
          return tx.groups.create({ name: input.name, sipId: input.sipId, members: input.members });
        })
        .catch(conflictFrom);
      publish(bus, { t: 'directory-changed' });
      return reply.code(201).send(groupView(group));
    },
  );

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/groups/:id', tag: 'groups', summary: 'One group', access: 'admin', params: IdParams, responses: { 200: { description: 'The group', schema: Group }, ...errs(401, 403, 404) } },
    async (req) => {
      const group = await storage.groups.get(req.params.id);
      if (!group) throw notFound('group');
      return groupView(group);
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'PATCH',
      url: '/api/groups/:id',
      tag: 'groups',
      summary: 'Change name, sipId or members of a group',
      access: 'admin',
      audit: { action: 'group.update', load: loadGroup },
      // A group may list many members (about 40 bytes each).
      bodyLimit: GROUP_BODY_LIMIT,
      params: IdParams,
      body: GroupPatch,
      responses: { 200: { description: 'The changed group', schema: Group }, ...errs(400, 401, 403, 404, 409) },
    },
    async (req) => {
      const { id } = req.params;
      const input = req.body;
      const group = await storage
        .transaction(async (tx) => {
          if (!(await tx.groups.get(id))) throw notFound('group');
          await checkGroup(tx, input, id);
          const patch: { name?: string; sipId?: string; members?: string[] } = {};
          if (input.name !== undefined) patch.name = input.name;
          if (input.sipId !== undefined) patch.sipId = input.sipId;
          if (input.members !== undefined) patch.members = input.members;
          const after = await tx.groups.update(id, patch);
          if (!after) throw notFound('group');
          return after;
        })
        .catch(conflictFrom);
      publish(bus, { t: 'directory-changed' });
      return groupView(group);
    },
  );

  defineRoute(
    app,
    ctx,
    { method: 'DELETE', url: '/api/groups/:id', tag: 'groups', summary: 'Delete a group', access: 'admin', audit: { action: 'group.delete', load: loadGroup }, params: IdParams, responses: { 204: { description: 'Deleted' }, ...errs(401, 403, 404) } },
    async (req, reply) => {
      if (!(await storage.groups.delete(req.params.id))) throw notFound('group');
      publish(bus, { t: 'directory-changed' });
      return reply.code(204).send();
    },
  );
}

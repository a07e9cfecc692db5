/** Users (admin only): GET/POST /api/users, GET/PATCH/DELETE /api/users/:id. */
import type { FastifyInstance } from 'fastify';
import { userCreateSchema, userPatchSchema } from '@cw/protocol';
import type { DomainEvent } from '../bus/types.js';
import { hashPassword } from '../auth/passwords.js';
import { StorageConflictError, type Storage, type UserRecord } from '../storage/types.js';
import { HttpError, notFound, parseBody } from './errors.js';
import { publish } from './events.js';
import { arrayOf, defineRoute, errs, ref, type HttpCtx } from './route.js';
import { userView } from './views.js';

type Tx = Omit<Storage, 'transaction' | 'close' | 'ping'>;

/** Turns a storage unique violation into 409 with the field. */
export function conflictFrom(err: unknown): never {
  if (err instanceof StorageConflictError) throw new HttpError('conflict', err.message, err.field);
  throw err;
}

/** 409 when username or sipId is taken by another user, or the sipId by a group. */
async function checkUnique(tx: Tx, u: { username?: string; sipId?: string }, selfId?: string): Promise<void> {
  if (u.username !== undefined) {
    const other = await tx.users.getByUsername(u.username);
    if (other && other.id !== selfId) throw new HttpError('conflict', `The username "${u.username}" is already taken.`, 'username');
  }
  if (u.sipId !== undefined && u.sipId !== '') {
    const other = await tx.users.getBySipId(u.sipId);
    if (other && other.id !== selfId) throw new HttpError('conflict', `The SIP-ID "${u.sipId}" is already taken.`, 'sipId');
    if (await tx.groups.getBySipId(u.sipId)) throw new HttpError('conflict', `The SIP-ID "${u.sipId}" belongs to a group.`, 'sipId');
  }
}

/** Registers the user routes. */
export async function userRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage, bus } = ctx.deps;

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/users', tag: 'users', summary: 'All users', access: 'admin', responses: { 200: { description: 'Users', schema: arrayOf('User') }, ...errs(401, 403) } },
    async () => (await storage.users.list()).map(userView),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/users',
      tag: 'users',
      summary: 'Create a user (sipId defaults to the username)',
      access: 'admin',
      body: ref('UserCreate'),
      responses: { 201: { description: 'Created', schema: ref('User') }, ...errs(400, 401, 403, 409) },
    },
    async (req, reply) => {
      const input = parseBody(userCreateSchema, req.body);
      const passwordHash = await hashPassword(input.password);
      const sipId = input.sipId ?? input.username;
      const user = await storage
        .transaction(async (tx) => {
          await checkUnique(tx, { username: input.username, sipId });
          return tx.users.create({
            username: input.username,
            passwordHash,
            displayName: input.displayName ?? input.username,
            sipId,
            email: input.email ?? '',
            phone: input.phone ?? '',
            department: input.department ?? '',
            roles: input.roles,
            reach: input.reach ?? 'console',
          });
        })
        .catch(conflictFrom);
      publish(bus, { t: 'directory-changed' });
      return reply.code(201).send(userView(user));
    },
  );

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/users/:id', tag: 'users', summary: 'One user', access: 'admin', responses: { 200: { description: 'The user', schema: ref('User') }, ...errs(401, 403, 404) } },
    async (req) => {
      const u = await storage.users.get((req.params as { id: string }).id);
      if (!u) throw notFound('user');
      return userView(u);
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'PATCH',
      url: '/api/users/:id',
      tag: 'users',
      summary: 'Change some fields of a user (password is write-only)',
      access: 'admin',
      body: ref('UserPatch'),
      responses: { 200: { description: 'The changed user', schema: ref('User') }, ...errs(400, 401, 403, 404, 409) },
    },
    async (req) => {
      const id = (req.params as { id: string }).id;
      const input = parseBody(userPatchSchema, req.body);
      const passwordHash = input.password !== undefined ? await hashPassword(input.password) : undefined;
      const { before, after } = await storage
        .transaction(async (tx) => {
          const before = await tx.users.get(id);
          if (!before) throw notFound('user');
          await checkUnique(tx, { username: input.username, sipId: input.sipId }, id);
          if (input.roles && before.roles.includes('admin') && !input.roles.includes('admin') && (await tx.users.countAdmins()) <= 1)
            throw new HttpError('conflict', 'The last admin cannot lose the admin role.', 'roles');
          const patch: Partial<Omit<UserRecord, 'id' | 'createdAt'>> = {};
          for (const k of ['username', 'displayName', 'sipId', 'email', 'phone', 'department', 'roles', 'reach'] as const)
            if (input[k] !== undefined) (patch as Record<string, unknown>)[k] = input[k];
          if (passwordHash) patch.passwordHash = passwordHash;
          const after = await tx.users.update(id, patch);
          if (!after) throw notFound('user');
          // A new password ends the user's other sign-ins (unless they changed their own).
          if (passwordHash && req.auth!.user.id !== id) await tx.authSessions.deleteForUser(id);
          return { before, after };
        })
        .catch(conflictFrom);
      const events: DomainEvent[] = [{ t: 'directory-changed' }];
      // Losing the agent role, or a password reset by someone else (sign-ins ended above), closes their consoles.
      if ((before.roles.includes('agent') && !after.roles.includes('agent')) || (passwordHash && req.auth!.user.id !== id))
        events.push({ t: 'user-revoked', userId: id });
      publish(bus, ...events);
      return userView(after);
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'DELETE',
      url: '/api/users/:id',
      tag: 'users',
      summary: 'Delete a user (not the last admin); removes them from groups and ends their sign-ins',
      access: 'admin',
      responses: { 204: { description: 'Deleted' }, ...errs(401, 403, 404, 409) },
    },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      await storage.transaction(async (tx) => {
        const u = await tx.users.get(id);
        if (!u) throw notFound('user');
        if (u.roles.includes('admin') && (await tx.users.countAdmins()) <= 1)
          throw new HttpError('conflict', 'The last admin cannot be deleted.', 'roles');
        for (const g of await tx.groups.listForUser(id)) await tx.groups.update(g.id, { members: g.members.filter((m) => m !== id) });
        await tx.authSessions.deleteForUser(id);
        for (const t of await tx.apiTokens.listForUser(id)) await tx.apiTokens.delete(t.id);
        if (!(await tx.users.delete(id))) throw notFound('user');
      });
      publish(bus, { t: 'user-revoked', userId: id }, { t: 'directory-changed' });
      return reply.code(204).send();
    },
  );
}

/** Users (admin only): GET/POST /api/users, GET/PATCH/DELETE /api/users/:id. */
import type { FastifyInstance } from 'fastify';
import { IdParams, User, UserCreate, UserPatch } from '@cw/protocol/api';
import type { DomainEvent } from '../bus/types.js';
import { hashPassword } from '../auth/passwords.js';
import { judgePassword } from '../auth/password-policy.js';
import { endOtherCredentials, publishRevoked } from '../auth/revocation.js';
import { StorageConflictError, type Storage, type UserRecord } from '../storage/types.js';
import { HttpError, notFound } from './errors.js';
import { publish } from './events.js';
import { arrayOf, defineRoute, errs, type HttpCtx } from './route.js';
import { userView } from './views.js';
import { InvalidPictureError, normalizePicture } from '../pictures.js';

type Tx = Omit<Storage, 'transaction' | 'close' | 'ping'>;

/** A user's own picture (spec 14) may be up to 2 MiB decoded, about 2.8 MB as base64. */
const USER_BODY_LIMIT = 4 * 1024 * 1024;

/** The picture to store: re-encoded like agents' pictures, 400 naming the field when it is not one. */
async function pictureOf(input: string | undefined): Promise<string | undefined> {
  if (input === undefined || input === '') return input;
  try {
    return await normalizePicture(input);
  } catch (err) {
    if (err instanceof InvalidPictureError) throw new HttpError('validation-failed', `picture ${err.message}`, 'picture');
    throw err;
  }
}

/** Turns a storage unique violation into 409 with the field. */
export function conflictFrom(err: unknown): never {
  if (err instanceof StorageConflictError) throw new HttpError('conflict', err.message, err.field);
  throw err;
}

/** 409 when username or sipId is taken by another user, or the sipId by a group. */
async function checkUnique(tx: Tx, user: { username?: string; sipId?: string }, selfId?: string): Promise<void> {
  if (user.username !== undefined) {
    const other = await tx.users.getByUsername(user.username);
    if (other && other.id !== selfId) throw new HttpError('conflict', `The username "${user.username}" is already taken.`, 'username');
  }
  if (user.sipId !== undefined && user.sipId !== '') {
    const other = await tx.users.getBySipId(user.sipId);
    if (other && other.id !== selfId) throw new HttpError('conflict', `The SIP-ID "${user.sipId}" is already taken.`, 'sipId');
    if (await tx.groups.getBySipId(user.sipId)) throw new HttpError('conflict', `The SIP-ID "${user.sipId}" belongs to a group.`, 'sipId');
  }
}

/** 400 with the reason when a new password is too easy to guess (issue 11.6). */
export async function refuseWeakPassword(password: string, inputs: string[], minScore: number): Promise<void> {
  const v = await judgePassword(password, inputs, minScore);
  if (!v.ok) throw new HttpError('validation-failed', v.reason, 'password');
}

/** Registers the user routes. */
export async function userRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage, bus } = ctx.deps;

  const loadUser = async (id: string) => {
    const u = await storage.users.get(id);
    return u && userView(u);
  };

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/users', tag: 'users', summary: 'All users', access: 'admin', responses: { 200: { description: 'Users', schema: arrayOf(User) }, ...errs(401, 403) } },
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
      bodyLimit: USER_BODY_LIMIT,
      audit: { action: 'user.create', load: loadUser },
      body: UserCreate,
      responses: { 201: { description: 'Created', schema: User }, ...errs(400, 401, 403, 409) },
    },
    async (req, reply) => {
      const input = req.body;
      await refuseWeakPassword(input.password, [input.username, input.displayName ?? '', input.email ?? '', input.sipId ?? ''], ctx.deps.config.passwordMinScore);
      const picture = await pictureOf(input.picture);
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
            picture: picture ?? '',
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
    { method: 'GET', url: '/api/users/:id', tag: 'users', summary: 'One user', access: 'admin', params: IdParams, responses: { 200: { description: 'The user', schema: User }, ...errs(401, 403, 404) } },
    async (req) => {
      const user = await storage.users.get(req.params.id);
      if (!user) throw notFound('user');
      return userView(user);
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
      bodyLimit: USER_BODY_LIMIT,
      audit: { action: 'user.update', load: loadUser },
      params: IdParams,
      body: UserPatch,
      responses: { 200: { description: 'The changed user', schema: User }, ...errs(400, 401, 403, 404, 409) },
    },
    async (req) => {
      const { id } = req.params;
      const input = req.body;
      if (input.password !== undefined) {
        const current = await storage.users.get(id);
        const names = [input.username ?? current?.username ?? '', input.displayName ?? current?.displayName ?? '', input.email ?? current?.email ?? ''];
        await refuseWeakPassword(input.password, names, ctx.deps.config.passwordMinScore);
      }
      const picture = await pictureOf(input.picture);
      const passwordHash = input.password !== undefined ? await hashPassword(input.password) : undefined;
      const { before, after, revoked } = await storage
        .transaction(async (tx) => {
          const before = await tx.users.get(id);
          if (!before) throw notFound('user');
          await checkUnique(tx, { username: input.username, sipId: input.sipId }, id);
          if (input.roles && before.roles.includes('admin') && !input.roles.includes('admin') && (await tx.users.countAdmins()) <= 1)
            throw new HttpError('conflict', 'The last admin cannot lose the admin role.', 'roles');
          const patch: Partial<Omit<UserRecord, 'id' | 'createdAt'>> = {};
          for (const key of ['username', 'displayName', 'sipId', 'email', 'phone', 'department', 'roles', 'reach'] as const)
            if (input[key] !== undefined) (patch as Record<string, unknown>)[key] = input[key];
          if (passwordHash) patch.passwordHash = passwordHash;
          if (picture !== undefined) patch.picture = picture;
          const after = await tx.users.update(id, patch);
          if (!after) throw notFound('user');
          // A new password ends every other session and token of the user (an admin changing their own keeps this session).
          const self = req.auth!.user.id === id;
          const revoked = passwordHash ? await endOtherCredentials(tx, id, self && req.auth!.via === 'session' ? req.auth!.sessionId : undefined) : undefined;
          return { before, after, revoked };
        })
        .catch(conflictFrom);
      const events: DomainEvent[] = [{ t: 'directory-changed' }];
      // Losing the agent role, or a password reset by someone else (sign-ins ended above), closes their consoles.
      if ((before.roles.includes('agent') && !after.roles.includes('agent')) || (passwordHash && req.auth!.user.id !== id))
        events.push({ t: 'user-revoked', userId: id });
      publish(bus, ...events);
      if (revoked) publishRevoked(bus, revoked);
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
      audit: { action: 'user.delete', load: loadUser },
      params: IdParams,
      responses: { 204: { description: 'Deleted' }, ...errs(401, 403, 404, 409) },
    },
    async (req, reply) => {
      const { id } = req.params;
      await storage.transaction(async (tx) => {
        const user = await tx.users.get(id);
        if (!user) throw notFound('user');
        if (user.roles.includes('admin') && (await tx.users.countAdmins()) <= 1)
          throw new HttpError('conflict', 'The last admin cannot be deleted.', 'roles');
        for (const group of await tx.groups.listForUser(id)) await tx.groups.update(group.id, { members: group.members.filter((member) => member !== id) });
        await tx.authSessions.deleteForUser(id);
        for (const token of await tx.apiTokens.listForUser(id)) await tx.apiTokens.delete(token.id);
        if (!(await tx.users.delete(id))) throw notFound('user');
      });
      publish(bus, { t: 'user-revoked', userId: id }, { t: 'directory-changed' });
      return reply.code(204).send();
    },
  );
}

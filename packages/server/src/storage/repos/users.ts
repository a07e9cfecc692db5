/** Users: accounts of admins and agents. */
import type { Selectable, Updateable } from 'kysely';
import type { Reach, Role } from '@cw/protocol';
import type { UsersTable } from '../schema.js';
import type { UserRecord, UserRepo } from '../types.js';
import { containsPattern, guard, ilike, newId, nullIfEmpty, num, precompiled, type RepoContext } from '../util.js';
import { atomic } from './atomic.js';

function toUser(r: Selectable<UsersTable>): UserRecord {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    sipId: r.sip_id ?? '',
    email: r.email,
    phone: r.phone,
    department: r.department,
    roles: JSON.parse(r.roles) as Role[],
    passwordHash: r.password_hash,
    createdAt: num(r.created_at),
    reach: (r.reach ?? 'console') as Reach,
    ...(r.lang ? { lang: r.lang } : {}),
    picture: r.picture ?? '',
  };
}

function toColumns(p: Partial<Omit<UserRecord, 'id' | 'createdAt'>>): Updateable<UsersTable> {
  const c: Updateable<UsersTable> = {};
  if (p.username !== undefined) c.username = p.username;
  if (p.displayName !== undefined) c.display_name = p.displayName;
  if (p.sipId !== undefined) c.sip_id = nullIfEmpty(p.sipId);
  if (p.email !== undefined) c.email = p.email;
  if (p.phone !== undefined) c.phone = p.phone;
  if (p.department !== undefined) c.department = p.department;
  if (p.roles !== undefined) c.roles = JSON.stringify(p.roles);
  if (p.passwordHash !== undefined) c.password_hash = p.passwordHash;
  if (p.reach !== undefined) c.reach = p.reach;
  if (p.lang !== undefined) c.lang = p.lang;
  if (p.picture !== undefined) c.picture = p.picture;
  return c;
}

/** Builds the user repo. */
export function userRepo(ctx: RepoContext): UserRepo {
  // Looked up on every API request and presence change (compiled once, see precompiled).
  const byId = precompiled(ctx, (db, p) => db.selectFrom('users').selectAll().where('id', '=', p(0)));
  const bySipId = precompiled(ctx, (db, p) => db.selectFrom('users').selectAll().where('sip_id', '=', p(0)));
  const get = async (id: string) => {
    const r = (await byId(id)).rows[0];
    return r && toUser(r);
  };
  return {
    async create(u) {
      const rec: UserRecord = {
        id: u.id || newId(),
        username: u.username,
        displayName: u.displayName,
        sipId: u.sipId ?? '',
        email: u.email ?? '',
        phone: u.phone ?? '',
        department: u.department ?? '',
        roles: [...(u.roles ?? [])],
        passwordHash: u.passwordHash,
        createdAt: ctx.now(),
        reach: u.reach ?? 'console',
        picture: u.picture ?? '',
      };
      await guard(() =>
        ctx
          .db()
          .insertInto('users')
          .values({
            id: rec.id,
            username: rec.username,
            display_name: rec.displayName,
            sip_id: nullIfEmpty(rec.sipId),
            email: rec.email,
            phone: rec.phone,
            department: rec.department,
            roles: JSON.stringify(rec.roles),
            password_hash: rec.passwordHash,
            created_at: rec.createdAt,
            reach: rec.reach,
            picture: rec.picture ?? '',
          })
          .execute(),
      );
      return rec;
    },
    get,
    async getByUsername(username) {
      const r = await ctx.db().selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return r && toUser(r);
    },
    async getBySipId(sipId) {
      if (!sipId) return undefined;
      const r = (await bySipId(sipId)).rows[0];
      return r && toUser(r);
    },
    async list() {
      const rows = await ctx.db().selectFrom('users').selectAll().orderBy('username').execute();
      return rows.map(toUser);
    },
    async update(id, patch) {
      const cols = toColumns(patch);
      if (Object.keys(cols).length > 0) {
        const res = await guard(() => ctx.db().updateTable('users').set(cols).where('id', '=', id).executeTakeFirst());
        if (Number(res.numUpdatedRows) === 0) return undefined;
      }
      return get(id);
    },
    async delete(id) {
      return atomic(ctx.db(), async (db) => {
        // Group memberships, sessions and tokens go by foreign key; presence has none (see 001_init).
        await db.deleteFrom('presence').where('user_id', '=', id).execute();
        const res = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
        return Number(res.numDeletedRows) > 0;
      });
    },
    async countAdmins() {
      const r = await ctx
        .db()
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('roles', 'like', '%"admin"%')
        .executeTakeFirstOrThrow();
      return num(r.n);
    },
    async search(q, limit) {
      const p = containsPattern(q);
      const rows = await ctx
        .db()
        .selectFrom('users')
        .selectAll()
        .where((eb) => eb.or([ilike('username', p), ilike('display_name', p), ilike('sip_id', p)]))
        .orderBy('username')
        .limit(Math.max(0, Math.floor(limit)))
        .execute();
      return rows.map(toUser);
    },
  };
}

/** Groups: a sipId that rings all its members. Members live in group_members, in order. */
import type { Kysely, Selectable } from 'kysely';
import type { Reach } from '@cw/protocol';
import type { Database, GroupsTable } from '../schema.js';
import type { GroupRecord, GroupRepo } from '../types.js';
import { containsPattern, guard, ilike, newId, nullIfEmpty, type RepoContext } from '../util.js';
import { atomic } from './atomic.js';

/** Loads the members of the given groups, keyed by group id, in order. */
async function membersOf(db: Kysely<Database>, groupIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return out;
  const rows = await db
    .selectFrom('group_members')
    .select(['group_id', 'user_id'])
    .where('group_id', 'in', groupIds)
    .orderBy('group_id')
    .orderBy('pos')
    .execute();
  for (const r of rows) out.get(r.group_id)?.push(r.user_id);
  return out;
}

async function withMembers(db: Kysely<Database>, rows: Selectable<GroupsTable>[]): Promise<GroupRecord[]> {
  const members = await membersOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ id: r.id, name: r.name, sipId: r.sip_id ?? '', members: members.get(r.id) ?? [], reach: (r.reach ?? 'console') as Reach }));
}

async function setMembers(db: Kysely<Database>, groupId: string, members: string[]): Promise<void> {
  await db.deleteFrom('group_members').where('group_id', '=', groupId).execute();
  const unique = [...new Set(members)];
  if (unique.length === 0) return;
  await db
    .insertInto('group_members')
    .values(unique.map((user_id, pos) => ({ group_id: groupId, user_id, pos })))
    .execute();
}

/** Builds the group repo. */
export function groupRepo(ctx: RepoContext): GroupRepo {
  const get = async (id: string) => {
    const db = ctx.db();
    const r = await db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
    return r && (await withMembers(db, [r]))[0];
  };
  return {
    async create(g) {
      const rec: GroupRecord = { id: newId(), name: g.name, sipId: g.sipId ?? '', members: [...new Set(g.members ?? [])], reach: g.reach ?? 'console' };
      await guard(
        () =>
          atomic(ctx.db(), async (db) => {
            await db.insertInto('groups').values({ id: rec.id, name: rec.name, sip_id: nullIfEmpty(rec.sipId), reach: rec.reach }).execute();
            await setMembers(db, rec.id, rec.members);
          }),
        'members',
      );
      return rec;
    },
    get,
    async getBySipId(sipId) {
      if (!sipId) return undefined;
      const db = ctx.db();
      const r = await db.selectFrom('groups').selectAll().where('sip_id', '=', sipId).executeTakeFirst();
      return r && (await withMembers(db, [r]))[0];
    },
    async list() {
      const db = ctx.db();
      return withMembers(db, await db.selectFrom('groups').selectAll().orderBy('name').orderBy('id').execute());
    },
    async update(id, patch) {
      const found = await guard(
        () =>
          atomic(ctx.db(), async (db) => {
            const cols: { name?: string; sip_id?: string | null; reach?: string } = {};
            if (patch.name !== undefined) cols.name = patch.name;
            if (patch.reach !== undefined) cols.reach = patch.reach;
            if (patch.sipId !== undefined) cols.sip_id = nullIfEmpty(patch.sipId);
            if (Object.keys(cols).length > 0) {
              const res = await db.updateTable('groups').set(cols).where('id', '=', id).executeTakeFirst();
              if (Number(res.numUpdatedRows) === 0) return false;
            } else if (!(await db.selectFrom('groups').select('id').where('id', '=', id).executeTakeFirst())) {
              return false;
            }
            if (patch.members !== undefined) await setMembers(db, id, patch.members);
            return true;
          }),
        'members',
      );
      return found ? get(id) : undefined;
    },
    async delete(id) {
      const res = await ctx.db().deleteFrom('groups').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async search(q, limit) {
      const db = ctx.db();
      const p = containsPattern(q);
      const rows = await db
        .selectFrom('groups')
        .selectAll()
        .where((eb) => eb.or([ilike('name', p), ilike('sip_id', p)]))
        .orderBy('name')
        .orderBy('id')
        .limit(Math.max(0, Math.floor(limit)))
        .execute();
      return withMembers(db, rows);
    },
    async listForUser(userId) {
      const db = ctx.db();
      const rows = await db
        .selectFrom('groups')
        .selectAll()
        .where('id', 'in', (eb) => eb.selectFrom('group_members').select('group_id').where('user_id', '=', userId))
        .orderBy('name')
        .orderBy('id')
        .execute();
      return withMembers(db, rows);
    },
  };
}

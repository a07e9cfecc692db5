/** Flags: named booleans that widgets can follow. */
import type { Selectable } from 'kysely';
import type { FlagsTable } from '../schema.js';
import type { FlagRecord, FlagRepo } from '../types.js';
import { guard, newId, type RepoContext } from '../util.js';

function toFlag(r: Selectable<FlagsTable>): FlagRecord {
  return { id: r.id, name: r.name, value: r.value !== 0 };
}

/** Builds the flag repo. */
export function flagRepo(ctx: RepoContext): FlagRepo {
  const get = async (id: string) => {
    const r = await ctx.db().selectFrom('flags').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toFlag(r);
  };
  return {
    async create(f) {
      const rec: FlagRecord = { id: newId(), name: f.name, value: !!f.value };
      await guard(() => ctx.db().insertInto('flags').values({ id: rec.id, name: rec.name, value: rec.value ? 1 : 0 }).execute());
      return rec;
    },
    get,
    async list() {
      const rows = await ctx.db().selectFrom('flags').selectAll().orderBy('name').orderBy('id').execute();
      return rows.map(toFlag);
    },
    async update(id, patch) {
      const cols: { name?: string; value?: number } = {};
      if (patch.name !== undefined) cols.name = patch.name;
      if (patch.value !== undefined) cols.value = patch.value ? 1 : 0;
      if (Object.keys(cols).length > 0) {
        const res = await ctx.db().updateTable('flags').set(cols).where('id', '=', id).executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) return undefined;
      }
      return get(id);
    },
    async delete(id) {
      const res = await ctx.db().deleteFrom('flags').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

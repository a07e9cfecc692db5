/** Flags: named booleans that widgets can follow. */
import type { Selectable } from 'kysely';
import type { FlagsTable } from '../schema.js';
import type { FlagRecord, FlagRepo } from '../types.js';
import { guard, newId, num, type RepoContext } from '../util.js';

function toFlag(r: Selectable<FlagsTable>): FlagRecord {
  const until = r.override_until;
  return { id: r.id, name: r.name, value: r.value !== 0, scheduleId: r.schedule_id ?? null, overrideUntil: until === null || until === undefined ? null : num(until) };
}

/** Builds the flag repo. */
export function flagRepo(ctx: RepoContext): FlagRepo {
  const get = async (id: string) => {
    const r = await ctx.db().selectFrom('flags').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toFlag(r);
  };
  return {
    async create(f) {
      const rec: FlagRecord = { id: newId(), name: f.name, value: !!f.value, scheduleId: f.scheduleId ?? null, overrideUntil: null };
      await guard(() => ctx.db().insertInto('flags').values({ id: rec.id, name: rec.name, value: rec.value ? 1 : 0, schedule_id: rec.scheduleId ?? null }).execute());
      return rec;
    },
    get,
    async list() {
      const rows = await ctx.db().selectFrom('flags').selectAll().orderBy('name').orderBy('id').execute();
      return rows.map(toFlag);
    },
    async update(id, patch) {
      const cols: { name?: string; value?: number; schedule_id?: string | null; override_until?: number | null } = {};
      if (patch.name !== undefined) cols.name = patch.name;
      if (patch.value !== undefined) cols.value = patch.value ? 1 : 0;
      if (patch.scheduleId !== undefined) cols.schedule_id = patch.scheduleId;
      if (patch.overrideUntil !== undefined) cols.override_until = patch.overrideUntil;
      if (Object.keys(cols).length > 0) {
        const res = await ctx.db().updateTable('flags').set(cols).where('id', '=', id).executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) return undefined;
      }
      return get(id);
    },
    async listBySchedule(scheduleId) {
      const rows = await ctx.db().selectFrom('flags').selectAll().where('schedule_id', '=', scheduleId).orderBy('name').execute();
      return rows.map(toFlag);
    },
    async delete(id) {
      const res = await ctx.db().deleteFrom('flags').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

/** Widgets: the body is one JSON text column; uuid, name and times are columns of their own. */
import type { Selectable } from 'kysely';
import type { WidgetsTable } from '../schema.js';
import type { WidgetRecord, WidgetRepo } from '../types.js';
import { guard, newWidgetUuid, num, type RepoContext } from '../util.js';

type Body = Omit<WidgetRecord, 'uuid' | 'createdAt' | 'updatedAt' | 'name'>;
type Input = Omit<WidgetRecord, 'uuid' | 'createdAt' | 'updatedAt'>;

function bodyOf(w: Input): string {
  const body: Body = {
    type: w.type,
    notes: w.notes,
    lang: w.lang,
    contact: w.contact,
    appearance: w.appearance,
    allowedOrigins: w.allowedOrigins,
    texts: w.texts ?? { title: '', greeting: '' },
    agents: w.agents,
    scheduleId: w.scheduleId ?? null,
    ...(w.offline ? { offline: w.offline } : {}),
  };
  return JSON.stringify(body);
}

function toWidget(r: Selectable<WidgetsTable>): WidgetRecord {
  const body = JSON.parse(r.body) as Body;
  return {
    uuid: r.uuid,
    type: body.type,
    name: r.name,
    notes: body.notes,
    lang: body.lang,
    contact: body.contact,
    appearance: body.appearance,
    allowedOrigins: body.allowedOrigins,
    texts: { title: body.texts?.title ?? '', greeting: body.texts?.greeting ?? '' },
    agents: body.agents,
    scheduleId: body.scheduleId ?? null,
    offline: body.offline ?? { enabled: true, consentText: '', notify: [] },
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

/** Builds the widget repo. */
export function widgetRepo(ctx: RepoContext): WidgetRepo {
  const get = async (uuid: string) => {
    const r = await ctx.db().selectFrom('widgets').selectAll().where('uuid', '=', uuid).executeTakeFirst();
    return r && toWidget(r);
  };
  return {
    async create(w) {
      const now = ctx.now();
      const row = { uuid: newWidgetUuid(), name: w.name, body: bodyOf(w), created_at: now, updated_at: now };
      await guard(() => ctx.db().insertInto('widgets').values(row).execute());
      return toWidget(row);
    },
    get,
    async list() {
      const rows = await ctx.db().selectFrom('widgets').selectAll().orderBy('created_at').orderBy('uuid').execute();
      return rows.map(toWidget);
    },
    async replace(uuid, w) {
      const res = await ctx
        .db()
        .updateTable('widgets')
        .set({ name: w.name, body: bodyOf(w), updated_at: ctx.now() })
        .where('uuid', '=', uuid)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0 ? get(uuid) : undefined;
    },
    async delete(uuid) {
      const res = await ctx.db().deleteFrom('widgets').where('uuid', '=', uuid).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

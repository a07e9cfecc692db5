/** Flags (admin): GET/POST /api/flags, GET/PUT/DELETE /api/flags/:id. Widgets follow a flag live. */
import type { FastifyInstance } from 'fastify';
import { Flag, FlagCreate, FlagPut, IdParams } from '@cw/protocol/api';
import { HttpError, invalid, notFound } from './errors.js';
import { scheduleState } from '../schedules/schedule-engine.js';
import { planOf } from '../schedules/schedule-view.js';
import { publish } from './events.js';
import { arrayOf, defineRoute, errs, type HttpCtx } from './route.js';
import { flagView } from './views.js';

/** Registers the flag routes. */
export async function flagRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage, bus, clock } = ctx.deps;

  const loadFlag = async (id: string) => {
    const f = await storage.flags.get(id);
    return f && flagView(f);
  };

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/flags', tag: 'flags', summary: 'All flags', access: 'admin', responses: { 200: { description: 'Flags', schema: arrayOf(Flag) }, ...errs(401, 403) } },
    async () => (await storage.flags.list()).map(flagView),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/flags',
      tag: 'flags',
      summary: 'Create a flag (value defaults to false)',
      access: 'admin',
      audit: { action: 'flag.create', load: loadFlag },
      body: FlagCreate,
      responses: { 201: { description: 'Created', schema: Flag }, ...errs(400, 401, 403) },
    },
    async (req, reply) => {
      const input = req.body;
      const flag = await storage.transaction(async (tx) => {
        if (input.scheduleId && !(await tx.schedules.get(input.scheduleId))) throw invalid('scheduleId', 'scheduleId names no existing schedule');
        return tx.flags.create({ name: input.name, value: input.value ?? false, scheduleId: input.scheduleId || null });
      });
      // A flag that follows a schedule takes its value at once.
      if (flag.scheduleId) publish(bus, { t: 'schedule-changed', id: flag.scheduleId });
      return reply.code(201).send(flagView(flag));
    },
  );

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/flags/:id', tag: 'flags', summary: 'One flag', access: 'admin', params: IdParams, responses: { 200: { description: 'The flag', schema: Flag }, ...errs(401, 403, 404) } },
    async (req) => {
      const flag = await storage.flags.get(req.params.id);
      if (!flag) throw notFound('flag');
      return flagView(flag);
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'PUT',
      url: '/api/flags/:id',
      tag: 'flags',
      summary: 'Set a flag (and/or rename it); widgets using it update live',
      access: 'admin',
      audit: { action: 'flag.update', load: loadFlag },
      params: IdParams,
      body: FlagPut,
      responses: { 200: { description: 'The flag', schema: Flag }, ...errs(400, 401, 403, 404) },
    },
    async (req) => {
      const { id } = req.params;
      const input = req.body;
      const patch: { value?: boolean; name?: string; scheduleId?: string | null; overrideUntil?: number | null } = {};
      if (input.value !== undefined) patch.value = input.value;
      if (input.name !== undefined) patch.name = input.name;
      if (input.scheduleId !== undefined) patch.scheduleId = input.scheduleId || null;
      const flag = await storage.transaction(async (tx) => {
        const before = await tx.flags.get(id);
        if (!before) throw notFound('flag');
        const scheduleId = patch.scheduleId !== undefined ? patch.scheduleId : (before.scheduleId ?? null);
        if (patch.scheduleId !== undefined) patch.overrideUntil = null;
        if (scheduleId) {
          const schedule = await tx.schedules.get(scheduleId);
          if (!schedule) throw invalid('scheduleId', 'scheduleId names no existing schedule');
          // Spec 11: a value set by hand on a flag that follows a schedule holds until the schedule's next change.
          if (input.value !== undefined) {
            const state = scheduleState(planOf(schedule), clock.now());
            patch.overrideUntil = input.value === state.open ? null : (state.nextChange ?? Number.MAX_SAFE_INTEGER);
          }
        }
        const after = Object.keys(patch).length ? await tx.flags.update(id, patch) : await tx.flags.get(id);
        if (!after) throw notFound('flag');
        return after;
      });
      publish(bus, { t: 'flag-changed', id: flag.id, value: flag.value });
      if (flag.scheduleId) publish(bus, { t: 'schedule-changed', id: flag.scheduleId });
      return flagView(flag);
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'DELETE',
      url: '/api/flags/:id',
      tag: 'flags',
      summary: 'Delete a flag that no widget uses',
      access: 'admin',
      audit: { action: 'flag.delete', load: loadFlag },
      params: IdParams,
      responses: { 204: { description: 'Deleted' }, ...errs(401, 403, 404, 409) },
    },
    async (req, reply) => {
      const { id } = req.params;
      await storage.transaction(async (tx) => {
        if (!(await tx.flags.get(id))) throw notFound('flag');
        const users = (await tx.widgets.list()).filter((widget) => widget.agents.some((agent) => agent.flag === id));
        if (users.length)
          throw new HttpError('conflict', `The flag is used by the widget${users.length > 1 ? 's' : ''} ${users.map((widget) => `"${widget.name}"`).join(', ')}.`);
        await tx.flags.delete(id);
      });
      return reply.code(204).send();
    },
  );
}

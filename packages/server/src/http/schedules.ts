/**
 * Spec 11 over HTTP: schedules (admin), missed contacts (agents see their own
 * and their widgets', admins all), the mail outbox (admin), and a transcript
 * sent from the console.
 */
import type { FastifyInstance } from 'fastify';
import { IdParams, MailEntry, MailStatus, MissedItem, MissedPatch, MissedQuery, Schedule, ScheduleInput, TranscriptRequest, WEEKDAY_KEYS, type ScheduleInput as ScheduleInputT } from '@cw/protocol/api';
import type { MailRecord, MissedRecord, ScheduleRecord, Storage } from '../storage/types.js';
import { HttpError, invalid, notFound } from './errors.js';
import { publish } from './events.js';
import { arrayOf, defineRoute, errs, type HttpCtx } from './route.js';
import { intervalProblem, isIsoDate } from '../schedules/schedule-engine.js';
import { scheduleView } from '../schedules/schedule-view.js';
import { isTimeZone } from '../stats/time-zone.js';
import type { Authenticated } from '../auth/credentials.js';

type Data = Omit<ScheduleRecord, 'id' | 'createdAt' | 'updatedAt'>;

/** The rules beyond the schema: a known zone, real dates, intervals that start before they end. */
export function scheduleFromBody(body: ScheduleInputT): Data {
  if (!isTimeZone(body.timeZone)) throw invalid('timeZone', `timeZone "${body.timeZone.slice(0, 64)}" is not an IANA time zone such as Europe/Berlin`);
  const week = {} as Data['week'];
  for (const day of WEEKDAY_KEYS) {
    const list = (body.week[day] ?? []) as [string, string][];
    list.forEach((iv, i) => {
      const p = intervalProblem(iv);
      if (p) throw invalid(`week.${day}[${i}]`, `week.${day}[${i}] ${p}`);
    });
    week[day] = list;
  }
  const exceptions = (body.exceptions ?? []).map((ex, i) => {
    if (!isIsoDate(ex.date)) throw invalid(`exceptions[${i}].date`, `exceptions[${i}].date "${ex.date}" is not a calendar date`);
    const intervals = ex.intervals as [string, string][];
    intervals.forEach((iv, j) => {
      const p = intervalProblem(iv);
      if (p) throw invalid(`exceptions[${i}].intervals[${j}]`, `exceptions[${i}].intervals[${j}] ${p}`);
    });
    return { date: ex.date, intervals, label: ex.label ?? '' };
  });
  exceptions.sort((a, b) => a.date.localeCompare(b.date));
  return { name: body.name, timeZone: body.timeZone, week, exceptions };
}

export function missedView(m: MissedRecord): MissedItem {
  return { id: m.id, kind: m.kind, widget: { uuid: m.widgetUuid, name: m.widgetName }, agent: m.agent, name: m.name, email: m.email, text: m.text, ts: m.ts, state: m.state };
}

export function mailView(m: MailRecord): MailEntry {
  return {
    id: m.id,
    kind: m.kind,
    to: m.to,
    subject: m.subject,
    state: m.state,
    attempts: m.attempts,
    lastError: m.lastError,
    createdAt: m.createdAt,
    nextAt: m.state === 'pending' ? m.nextAt : null,
    sentAt: m.sentAt,
  };
}

/** What an agent may see of missed contacts: items addressed to them (or a group of theirs), and items of widgets they are on. */
async function visibleTo(storage: Storage, auth: Authenticated): Promise<(m: MissedRecord) => boolean> {
  if (auth.user.roles.includes('admin')) return () => true;
  const sipIds = new Set<string>();
  if (auth.user.sipId) sipIds.add(auth.user.sipId);
  for (const g of await storage.groups.listForUser(auth.user.id)) if (g.sipId) sipIds.add(g.sipId);
  const widgets = new Set((await storage.widgets.list()).filter((w) => w.agents.some((a) => sipIds.has(a.sipId))).map((w) => w.uuid));
  return (m) => (m.agent !== null && sipIds.has(m.agent)) || widgets.has(m.widgetUuid);
}

/** Registers the routes of spec 11. */
export async function scheduleRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage, bus, clock } = ctx.deps;
  const load = async (id: string) => {
    const s = await storage.schedules.get(id);
    return s && scheduleView(s, clock.now());
  };
  /** Widgets using a schedule get a fresh Session (their hours may have changed). */
  const touchWidgets = async (id: string) => {
    const uuids = (await storage.widgets.list()).filter((w) => w.scheduleId === id).map((w) => w.uuid);
    publish(bus, { t: 'schedule-changed', id }, ...uuids.map((uuid) => ({ t: 'widget-updated' as const, uuid })));
  };

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/schedules', tag: 'schedules', summary: 'All schedules, with whether each is open now', access: 'admin', responses: { 200: { description: 'Schedules', schema: arrayOf(Schedule) }, ...errs(401, 403) } },
    async () => (await storage.schedules.list()).map((s) => scheduleView(s, clock.now())),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/schedules',
      tag: 'schedules',
      summary: 'Create a schedule',
      access: 'admin',
      audit: { action: 'schedule.create', load },
      body: ScheduleInput,
      responses: { 201: { description: 'Created', schema: Schedule }, ...errs(400, 401, 403) },
    },
    async (req, reply) => {
      const s = await storage.schedules.create(scheduleFromBody(req.body));
      publish(bus, { t: 'schedule-changed', id: s.id });
      return reply.code(201).send(scheduleView(s, clock.now()));
    },
  );

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/schedules/:id', tag: 'schedules', summary: 'One schedule', access: 'admin', params: IdParams, responses: { 200: { description: 'The schedule', schema: Schedule }, ...errs(401, 403, 404) } },
    async (req) => {
      const s = await load(req.params.id);
      if (!s) throw notFound('schedule');
      return s;
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'PUT',
      url: '/api/schedules/:id',
      tag: 'schedules',
      summary: 'Replace a schedule; flags and widgets following it change at once if they must',
      access: 'admin',
      audit: { action: 'schedule.update', load },
      params: IdParams,
      body: ScheduleInput,
      responses: { 200: { description: 'The schedule', schema: Schedule }, ...errs(400, 401, 403, 404) },
    },
    async (req) => {
      const data = scheduleFromBody(req.body);
      const s = await storage.schedules.replace(req.params.id, data);
      if (!s) throw notFound('schedule');
      await touchWidgets(s.id);
      return scheduleView(s, clock.now());
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'DELETE',
      url: '/api/schedules/:id',
      tag: 'schedules',
      summary: 'Delete a schedule that no flag or widget follows',
      access: 'admin',
      audit: { action: 'schedule.delete', load },
      params: IdParams,
      responses: { 204: { description: 'Deleted' }, ...errs(401, 403, 404, 409) },
    },
    async (req, reply) => {
      const { id } = req.params;
      await storage.transaction(async (tx) => {
        if (!(await tx.schedules.get(id))) throw notFound('schedule');
        const flags = await tx.flags.listBySchedule(id);
        const widgets = (await tx.widgets.list()).filter((w) => w.scheduleId === id);
        const users = [...flags.map((f) => `flag "${f.name}"`), ...widgets.map((w) => `widget "${w.name}"`)];
        if (users.length) throw new HttpError('conflict', `The schedule is used by the ${users.join(', ')}.`);
        await tx.schedules.delete(id);
      });
      publish(bus, { t: 'schedule-changed', id });
      return reply.code(204).send();
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/missed',
      tag: 'missed',
      summary: 'Offline messages, unanswered calls and chat requests, newest first (agents: their own and their widgets’; admins: all)',
      access: 'any',
      query: MissedQuery,
      responses: { 200: { description: 'Missed contacts', schema: arrayOf(MissedItem) }, ...errs(400, 401, 403) },
    },
    async (req) => {
      const see = await visibleTo(storage, req.auth!);
      const all = await storage.missed.list({ ...(req.query.state ? { state: req.query.state } : {}), limit: 500 });
      return all.filter(see).map(missedView);
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'PATCH',
      url: '/api/missed/:id',
      tag: 'missed',
      summary: 'Mark a missed contact done (or open again)',
      access: 'any',
      params: IdParams,
      body: MissedPatch,
      responses: { 200: { description: 'The item', schema: MissedItem }, ...errs(400, 401, 403, 404) },
    },
    async (req) => {
      const item = await storage.missed.get(req.params.id);
      // Items an agent may not see do not exist for them.
      if (!item || !(await visibleTo(storage, req.auth!))(item)) throw notFound('missed contact');
      const after = await storage.missed.setState(item.id, req.body.state, req.auth!.user.id, clock.now());
      if (!after) throw notFound('missed contact');
      return missedView(after);
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/mail/status',
      tag: 'mail',
      summary: 'Whether mail is configured, and how the outbox stands',
      access: 'admin',
      responses: { 200: { description: 'Mail status', schema: MailStatus }, ...errs(401, 403) },
    },
    async () => {
      const c = await storage.mail.counts();
      const failed = c.failed ? (await storage.mail.list(1, 'failed'))[0] : undefined;
      return { configured: app.mail.configured, from: ctx.deps.config.mailFrom, pending: c.pending, failed: c.failed, lastError: app.mail.lastError || failed?.lastError || '' };
    },
  );

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/mail', tag: 'mail', summary: 'The mail outbox, newest first (last 200)', access: 'admin', responses: { 200: { description: 'Mails', schema: arrayOf(MailEntry) }, ...errs(401, 403) } },
    async () => (await storage.mail.list(200)).map(mailView),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/mail/:id/retry',
      tag: 'mail',
      summary: 'Send a failed mail again',
      access: 'admin',
      audit: { action: 'mail.retry', load: async (id) => { const m = await storage.mail.get(id); return m && mailView(m); }, name: (m) => String((m as MailEntry).subject) },
      params: IdParams,
      responses: { 200: { description: 'Queued again', schema: MailEntry }, ...errs(401, 403, 404, 409) },
    },
    async (req) => {
      const m = await storage.mail.get(req.params.id);
      if (!m) throw notFound('mail');
      if (!(await storage.mail.retry(m.id, clock.now()))) throw new HttpError('conflict', 'Only a failed mail can be sent again.');
      void app.mail.kick();
      publish(bus, { t: 'mail-queued' });
      return mailView((await storage.mail.get(m.id))!);
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/chats/:id/transcript',
      tag: 'chats',
      summary: 'Mail the chat’s transcript to an address (now if the chat has ended, else when it does); agents: their own chats',
      access: 'any',
      params: IdParams,
      body: TranscriptRequest,
      responses: { 202: { description: 'Accepted' }, ...errs(400, 401, 403, 404) },
    },
    async (req, reply) => {
      const chat = await storage.chats.get(req.params.id);
      const me = req.auth!.user;
      if (!chat || (!me.roles.includes('admin') && chat.agentUserId !== me.id)) throw notFound('chat');
      const widget = await storage.widgets.get(chat.widgetUuid);
      await app.contact.requestTranscript(chat.id, req.body.email, widget?.lang ?? 'en');
      return reply.code(202).send();
    },
  );
}

/** Schedules, missed contacts, the mail outbox and transcript requests (spec 11, migration 004). */
import { sql, type Selectable } from 'kysely';
import type { MailOutboxTable, MissedTable, SchedulesTable } from '../schema.js';
import type { MailRecord, MailRepo, MissedRecord, MissedRepo, ScheduleRecord, ScheduleRepo, TranscriptRequestRepo } from '../types.js';
import { guard, newId, num, numOrNull, type RepoContext } from '../util.js';

type ScheduleBody = Pick<ScheduleRecord, 'timeZone' | 'week' | 'exceptions'>;

function toSchedule(r: Selectable<SchedulesTable>): ScheduleRecord {
  const b = JSON.parse(r.body) as ScheduleBody;
  return { id: r.id, name: r.name, timeZone: b.timeZone, week: b.week, exceptions: b.exceptions, createdAt: num(r.created_at), updatedAt: num(r.updated_at) };
}

const bodyOf = (s: ScheduleBody) => JSON.stringify({ timeZone: s.timeZone, week: s.week, exceptions: s.exceptions });

/** Builds the schedule repo. */
export function scheduleRepo(ctx: RepoContext): ScheduleRepo {
  const get = async (id: string) => {
    const r = await ctx.db().selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toSchedule(r);
  };
  return {
    async create(s) {
      const now = ctx.now();
      const row = { id: newId(), name: s.name, body: bodyOf(s), created_at: now, updated_at: now };
      await guard(() => ctx.db().insertInto('schedules').values(row).execute());
      return toSchedule(row);
    },
    get,
    async list() {
      return (await ctx.db().selectFrom('schedules').selectAll().orderBy('name').orderBy('id').execute()).map(toSchedule);
    },
    async replace(id, s) {
      const res = await ctx.db().updateTable('schedules').set({ name: s.name, body: bodyOf(s), updated_at: ctx.now() }).where('id', '=', id).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0 ? get(id) : undefined;
    },
    async delete(id) {
      const res = await ctx.db().deleteFrom('schedules').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

function toMissed(r: Selectable<MissedTable>): MissedRecord {
  return {
    id: r.id,
    kind: r.kind as MissedRecord['kind'],
    ref: r.ref,
    widgetUuid: r.widget_uuid,
    widgetName: r.widget_name,
    agent: r.agent,
    name: r.name,
    email: r.email,
    text: r.text,
    consent: r.consent !== 0,
    ts: num(r.ts),
    state: r.state as MissedRecord['state'],
    doneAt: numOrNull(r.done_at),
    doneBy: r.done_by,
  };
}

/** Builds the missed-contacts repo. */
export function missedRepo(ctx: RepoContext): MissedRepo {
  const get = async (id: string) => {
    const r = await ctx.db().selectFrom('missed').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toMissed(r);
  };
  return {
    async add(m) {
      const row = {
        id: newId(),
        kind: m.kind,
        ref: m.ref,
        widget_uuid: m.widgetUuid,
        widget_name: m.widgetName,
        agent: m.agent,
        name: m.name,
        email: m.email,
        text: m.text,
        consent: m.consent ? 1 : 0,
        ts: m.ts,
        state: 'open',
        done_at: null,
        done_by: null,
      };
      const q = ctx.db().insertInto('missed').values(row);
      const res = m.ref
        ? await q.onConflict((oc) => oc.column('ref').where(sql<boolean>`ref IS NOT NULL`).doNothing()).returning('id').executeTakeFirst()
        : await q.returning('id').executeTakeFirst();
      if (res) return { record: toMissed({ ...row, seq: 0 }), inserted: true };
      const existing = await ctx.db().selectFrom('missed').selectAll().where('ref', '=', m.ref!).executeTakeFirstOrThrow();
      return { record: toMissed(existing), inserted: false };
    },
    get,
    async list(q) {
      let query = ctx.db().selectFrom('missed').selectAll();
      if (q.state) query = query.where('state', '=', q.state);
      return (await query.orderBy('ts', 'desc').orderBy('seq', 'desc').limit(q.limit).execute()).map(toMissed);
    },
    async setState(id, state, by, at) {
      const res = await ctx
        .db()
        .updateTable('missed')
        .set(state === 'done' ? { state, done_at: at, done_by: by } : { state, done_at: null, done_by: null })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0 ? get(id) : undefined;
    },
  };
}

function toMail(r: Selectable<MailOutboxTable>): MailRecord {
  return {
    id: r.id,
    kind: r.kind,
    to: JSON.parse(r.recipients) as string[],
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    replyTo: r.reply_to,
    state: r.state as MailRecord['state'],
    attempts: r.attempts,
    nextAt: num(r.next_at),
    lastError: r.last_error,
    createdAt: num(r.created_at),
    sentAt: numOrNull(r.sent_at),
  };
}

/** Builds the mail outbox repo. */
export function mailRepo(ctx: RepoContext): MailRepo {
  const get = async (id: string) => {
    const r = await ctx.db().selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toMail(r);
  };
  return {
    async enqueue(m) {
      const now = ctx.now();
      const row = {
        id: newId(),
        kind: m.kind,
        recipients: JSON.stringify(m.to),
        subject: m.subject,
        text_body: m.text,
        html_body: m.html,
        reply_to: m.replyTo,
        state: 'pending',
        attempts: 0,
        next_at: now,
        locked_until: null,
        last_error: '',
        created_at: now,
        sent_at: null,
      };
      await ctx.db().insertInto('mail_outbox').values(row).execute();
      return toMail({ ...row, seq: 0 });
    },
    async claimDue(now, limit, lockMs) {
      const due = await ctx
        .db()
        .selectFrom('mail_outbox')
        .selectAll()
        .where('state', '=', 'pending')
        .where('next_at', '<=', now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .orderBy('next_at')
        .orderBy('seq')
        .limit(limit)
        .execute();
      const out: MailRecord[] = [];
      for (const r of due) {
        // Compare-and-set: another process that took it first wins.
        const res = await ctx
          .db()
          .updateTable('mail_outbox')
          .set({ locked_until: now + lockMs })
          .where('id', '=', r.id)
          .where('state', '=', 'pending')
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) > 0) out.push(toMail(r));
      }
      return out;
    },
    async markSent(id, at) {
      await ctx.db().updateTable('mail_outbox').set({ state: 'sent', sent_at: at, locked_until: null, attempts: sql`attempts + 1`, last_error: '' }).where('id', '=', id).execute();
    },
    async markAttempt(id, o) {
      await ctx
        .db()
        .updateTable('mail_outbox')
        .set(o.nextAt === null ? { state: 'failed', last_error: o.error, locked_until: null, attempts: sql`attempts + 1` } : { next_at: o.nextAt, last_error: o.error, locked_until: null, attempts: sql`attempts + 1` })
        .where('id', '=', id)
        .execute();
    },
    get,
    async list(limit, state) {
      let q = ctx.db().selectFrom('mail_outbox').selectAll();
      if (state) q = q.where('state', '=', state);
      return (await q.orderBy('seq', 'desc').limit(limit).execute()).map(toMail);
    },
    async counts() {
      const rows = await ctx.db().selectFrom('mail_outbox').select(['state', sql<number>`count(*)`.as('n'), sql<number | string | null>`min(next_at)`.as('next')]).groupBy('state').execute();
      const by = (s: string) => Number(rows.find((r) => r.state === s)?.n ?? 0);
      const pending = rows.find((r) => r.state === 'pending');
      return { pending: by('pending'), failed: by('failed'), sent: by('sent'), nextAt: pending?.next == null ? null : num(pending.next) };
    },
    async retry(id, now) {
      const res = await ctx.db().updateTable('mail_outbox').set({ state: 'pending', next_at: now, locked_until: null }).where('id', '=', id).where('state', '=', 'failed').executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
  };
}

/** Builds the transcript request repo. */
export function transcriptRequestRepo(ctx: RepoContext): TranscriptRequestRepo {
  return {
    async add(chatId, email, lang, at) {
      const res = await ctx
        .db()
        .insertInto('transcript_requests')
        .values({ chat_id: chatId, email, lang, created_at: at, queued_at: null })
        .onConflict((oc) => oc.columns(['chat_id', 'email']).doNothing())
        .returning('chat_id')
        .executeTakeFirst();
      return res !== undefined;
    },
    async pending(chatId) {
      const rows = await ctx.db().selectFrom('transcript_requests').select(['chat_id', 'email', 'lang']).where('chat_id', '=', chatId).where('queued_at', 'is', null).orderBy('created_at').execute();
      return rows.map((r) => ({ chatId: r.chat_id, email: r.email, lang: r.lang }));
    },
    async markQueued(chatId, email, at) {
      await ctx.db().updateTable('transcript_requests').set({ queued_at: at }).where('chat_id', '=', chatId).where('email', '=', email).execute();
    },
    async pendingChats() {
      const rows = await ctx.db().selectFrom('transcript_requests').select('chat_id').distinct().where('queued_at', 'is', null).execute();
      return rows.map((r) => r.chat_id);
    },
  };
}

/** Schedules, missed contacts and the mail outbox (spec 11): bodies and answers of /api/schedules, /api/missed, /api/mail. */
import { Email, Matching, NotBlank, Nullable, StringEnum, Type, type Static } from './kit.js';

/** "08:00"; "24:00" ends a day. */
export const ClockTime = Matching('^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$', 'must be a time such as 08:00 (24:00 ends a day)', { maxLength: 5 });
/** [start, end] in the schedule's local time. */
export const ScheduleInterval = Type.Array(ClockTime, { minItems: 2, maxItems: 2, description: '["08:00","12:00"]' });
const Intervals = Type.Array(ScheduleInterval, { maxItems: 24 });

export const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const ScheduleWeek = Type.Object({
  mon: Type.Optional(Intervals),
  tue: Type.Optional(Intervals),
  wed: Type.Optional(Intervals),
  thu: Type.Optional(Intervals),
  fri: Type.Optional(Intervals),
  sat: Type.Optional(Intervals),
  sun: Type.Optional(Intervals),
});

export const ScheduleExceptionShape = Type.Object({
  date: Matching('^\\d{4}-\\d{2}-\\d{2}$', 'must be a date such as 2026-12-24', { maxLength: 10 }),
  intervals: Intervals,
  label: Type.Optional(Type.String({ maxLength: 200 })),
});

/** POST/PUT /api/schedules body. */
export const ScheduleInput = Type.Object({
  name: NotBlank({ minLength: 1, maxLength: 200 }),
  timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'an IANA time zone such as Europe/Berlin' }),
  week: ScheduleWeek,
  exceptions: Type.Optional(Type.Array(ScheduleExceptionShape, { maxItems: 500 })),
});
export type ScheduleInput = Static<typeof ScheduleInput>;

/** A schedule as the API shows it; `open` and `nextChange` are computed. */
export const Schedule = Type.Object({
  id: Type.String({ readOnly: true }),
  name: Type.String(),
  timeZone: Type.String(),
  week: Type.Object({
    mon: Intervals,
    tue: Intervals,
    wed: Intervals,
    thu: Intervals,
    fri: Intervals,
    sat: Intervals,
    sun: Intervals,
  }),
  exceptions: Type.Array(Type.Object({ date: Type.String(), intervals: Intervals, label: Type.String() })),
  open: Type.Boolean({ readOnly: true }),
  nextChange: Nullable(Type.Integer(), { readOnly: true, description: 'ms since the epoch when `open` next flips; null when it never does' }),
});
export type Schedule = Static<typeof Schedule>;

/** A widget's offline contact settings. */
export const WidgetOffline = Type.Object({
  enabled: Type.Optional(Type.Boolean({ default: true })),
  consentText: Type.Optional(Type.String({ maxLength: 1000, description: 'the consent checkbox text; empty: no checkbox' })),
  notify: Type.Optional(Type.Array(Matching('^[^\\s\\x00-\\x1f\\x7f@?<>()\\[\\]\\\\,;:"]{1,64}@[^\\s\\x00-\\x1f\\x7f@?<>()\\[\\]\\\\,;:"/#%.]+(\\.[^\\s\\x00-\\x1f\\x7f@?<>()\\[\\]\\\\,;:"/#%.]+)+$', 'must be an e-mail address such as sales@example.com', { maxLength: 254 }), { maxItems: 20, uniqueItems: true })),
});
export type WidgetOffline = Static<typeof WidgetOffline>;

export const MISSED_KINDS = ['offline', 'call', 'chat'] as const;
export const MISSED_STATES = ['open', 'done'] as const;

/** GET /api/missed item. */
export const MissedItem = Type.Object({
  id: Type.String(),
  kind: StringEnum(MISSED_KINDS),
  widget: Type.Object({ uuid: Type.String(), name: Type.String() }),
  agent: Nullable(Type.String(), { description: 'the sipId the visitor addressed, null for offline messages' }),
  name: Type.String(),
  email: Type.String(),
  text: Type.String(),
  ts: Type.Integer(),
  state: StringEnum(MISSED_STATES),
});
export type MissedItem = Static<typeof MissedItem>;

export const MissedQuery = Type.Object({ state: Type.Optional(StringEnum(MISSED_STATES)) });
export type MissedQuery = Static<typeof MissedQuery>;
/** PATCH /api/missed/:id */
export const MissedPatch = Type.Object({ state: StringEnum(MISSED_STATES) });
export type MissedPatch = Static<typeof MissedPatch>;

/** A mail in the durable outbox, as admins see it (no body). */
export const MailEntry = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'offline | transcript' }),
  to: Type.Array(Type.String()),
  subject: Type.String(),
  state: StringEnum(['pending', 'sent', 'failed'] as const),
  attempts: Type.Integer(),
  lastError: Type.String(),
  createdAt: Type.Integer(),
  nextAt: Nullable(Type.Integer()),
  sentAt: Nullable(Type.Integer()),
});
export type MailEntry = Static<typeof MailEntry>;

/** GET /api/mail/status */
export const MailStatus = Type.Object({
  configured: Type.Boolean({ description: 'false without SMTP_URL: nothing is sent' }),
  from: Type.String(),
  pending: Type.Integer(),
  failed: Type.Integer(),
  lastError: Type.String(),
});
export type MailStatus = Static<typeof MailStatus>;

/** POST /api/chats/:id/transcript (console) */
export const TranscriptRequest = Type.Object({ email: Email({ minLength: 3 }) });
export type TranscriptRequest = Static<typeof TranscriptRequest>;

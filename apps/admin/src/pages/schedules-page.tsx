/**
 * Schedules (spec 11): opening hours as a week of intervals in a time zone,
 * with exceptions (holidays, a closed afternoon). Flags can follow a schedule
 * (Flags page), widgets can show one (widget settings). The week grid is
 * plain form controls — every day a row of time fields — so it works by
 * keyboard and screen reader alike. Also: whether e-mail is set up, and the
 * mails that could not be sent.
 */
import { useEffect, useState } from 'preact/hooks';
import type { MailEntry, MailStatus, Schedule, ScheduleInput } from '@cw/protocol';
import { api, ApiError } from '../api.js';
import { ErrorBanner, TextField } from '../components/fields.js';
import { ask } from '../components/confirm.js';
import { failHandler, PageHead } from '../components/page.js';
import { msg } from '@cw/client-core';
import { t } from '../i18n.js';

const DAYS = [
  ['mon', msg('Monday')],
  ['tue', msg('Tuesday')],
  ['wed', msg('Wednesday')],
  ['thu', msg('Thursday')],
  ['fri', msg('Friday')],
  ['sat', msg('Saturday')],
  ['sun', msg('Sunday')],
] as const;
type Day = (typeof DAYS)[number][0];
type Iv = [string, string];

interface Draft {
  id: string | null;
  name: string;
  timeZone: string;
  week: Record<Day, Iv[]>;
  exceptions: { date: string; closed: boolean; from: string; to: string; label: string }[];
}

function zones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York'];
  }
}

function emptyDraft(): Draft {
  const workday: Iv[] = [['08:00', '17:00']];
  return {
    id: null,
    name: '',
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    week: { mon: workday, tue: workday, wed: workday, thu: workday, fri: workday, sat: [], sun: [] },
    exceptions: [],
  };
}

function toDraft(s: Schedule): Draft {
  return {
    id: s.id,
    name: s.name,
    timeZone: s.timeZone,
    week: Object.fromEntries(DAYS.map(([d]) => [d, (s.week[d] ?? []).map((iv) => [iv[0]!, iv[1]!] as Iv)])) as Record<Day, Iv[]>,
    exceptions: s.exceptions.map((e) => ({ date: e.date, closed: e.intervals.length === 0, from: e.intervals[0]?.[0] ?? '09:00', to: e.intervals[0]?.[1] ?? '12:00', label: e.label })),
  };
}

/** "23:59" from a time field; the end of the day may be written 24:00 (a time field cannot say it: 00:00 as an end means it). */
const endOf = (t: string) => (t === '00:00' ? '24:00' : t);

function toBody(d: Draft): ScheduleInput {
  return {
    name: d.name.trim(),
    timeZone: d.timeZone.trim(),
    week: Object.fromEntries(DAYS.map(([day]) => [day, d.week[day].map(([a, b]) => [a, endOf(b)])])),
    exceptions: d.exceptions.map((e) => ({ date: e.date, intervals: e.closed ? [] : [[e.from, endOf(e.to)]], label: e.label.trim() })),
  };
}

function when(ts: number | null): string {
  if (ts === null) return t('no change ahead');
  return new Date(ts).toLocaleString(undefined, { weekday: 'long', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

function Editor(p: { draft: Draft; onSaved: (s: Schedule) => void; onCancel: () => void; onUnauthorized: () => void }) {
  const [d, setD] = useState(p.draft);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const setDay = (day: Day, list: Iv[]) => setD({ ...d, week: { ...d.week, [day]: list } });
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!d.name.trim()) return setError(t('Enter a name for the schedule.'));
    setBusy(true);
    try {
      const saved = d.id ? await api.putSchedule(d.id, toBody(d)) : await api.createSchedule(toBody(d));
      p.onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return p.onUnauthorized();
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="schedule-editor" onSubmit={save} noValidate aria-labelledby="schedule-edit-h">
      <h2 id="schedule-edit-h">{d.id ? t('Edit {name}', { name: p.draft.name }) : t('New schedule')}</h2>
      <ErrorBanner message={error} />
      <TextField label={t('Name')} value={d.name} onValue={(v) => setD({ ...d, name: v })} placeholder={t('e.g. Office hours')} autofocus />
      <div class="field">
        <label for="schedule-tz">{t('Time zone')}</label>
        <input id="schedule-tz" list="schedule-tz-list" value={d.timeZone} onInput={(e) => setD({ ...d, timeZone: e.currentTarget.value })} />
        <datalist id="schedule-tz-list">
          {zones().map((z) => (
            <option value={z} />
          ))}
        </datalist>
      </div>
      <table class="week-grid">
        <caption>{t('Opening hours per day (local time of the zone)')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('Day')}</th>
            <th scope="col">{t('Hours')}</th>
            <th scope="col">
              <span class="sr-only">{t('Add')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {DAYS.map(([day, dayKey]) => { const label = t(dayKey); return (
            <tr key={day}>
              <th scope="row">{label}</th>
              <td>
                {d.week[day].length === 0 ? <span class="muted">{t('Closed')}</span> : null}
                {d.week[day].map(([from, to], i) => (
                  <span class="interval" key={i}>
                    <label>
                      <span class="sr-only">{t('{day} opens ({n})', { day: label, n: i + 1 })}</span>
                      <input type="time" required value={from} aria-label={t('{day} opens ({n})', { day: label, n: i + 1 })} onInput={(e) => setDay(day, d.week[day].map((iv, j) => (j === i ? [e.currentTarget.value, iv[1]] : iv)))} />
                    </label>
                    <span aria-hidden="true">–</span>
                    <label>
                      <span class="sr-only">{t('{day} closes ({n})', { day: label, n: i + 1 })}</span>
                      <input type="time" required value={to === '24:00' ? '00:00' : to} aria-label={t('{day} closes ({n})', { day: label, n: i + 1 })} onInput={(e) => setDay(day, d.week[day].map((iv, j) => (j === i ? [iv[0], e.currentTarget.value] : iv)))} />
                    </label>
                    <button type="button" class="btn btn-small btn-quiet-danger" aria-label={t('Remove {day} hours {n}', { day: label, n: i + 1 })} onClick={() => setDay(day, d.week[day].filter((_, j) => j !== i))}>
                      {t('Remove')}
                    </button>
                  </span>
                ))}
              </td>
              <td>
                <button type="button" class="btn btn-small" aria-label={t('Add hours on {day}', { day: label })} onClick={() => setDay(day, [...d.week[day], ['09:00', '17:00']])}>
                  {t('Add hours')}
                </button>
              </td>
            </tr>
          ); })}
        </tbody>
      </table>
      <p class="hint">{t('A closing time of 00:00 means the end of the day (midnight).')}</p>
      <fieldset class="section">
        <legend class="section-title">{t('Exceptions')}</legend>
        <p class="hint">{t('A date listed here replaces that day’s hours: public holidays, a closed afternoon, an extra opening.')}</p>
        {d.exceptions.map((ex, i) => {
          const setEx = (patch: Partial<Draft['exceptions'][number]>) => setD({ ...d, exceptions: d.exceptions.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
          const n = i + 1;
          return (
            <div class="exception" key={i} role="group" aria-label={t('Exception {n}', { n })}>
              <label>
                {t('Date')} <input type="date" required value={ex.date} onInput={(e) => setEx({ date: e.currentTarget.value })} />
              </label>
              <label>
                {t('Label')} <input value={ex.label} placeholder={t('e.g. Christmas Eve')} onInput={(e) => setEx({ label: e.currentTarget.value })} />
              </label>
              <label>
                <input type="checkbox" checked={ex.closed} onChange={(e) => setEx({ closed: e.currentTarget.checked })} /> {t('Closed all day')}
              </label>
              {!ex.closed && (
                <>
                  <label>
                    {t('Opens')} <input type="time" value={ex.from} onInput={(e) => setEx({ from: e.currentTarget.value })} />
                  </label>
                  <label>
                    {t('Closes')} <input type="time" value={ex.to} onInput={(e) => setEx({ to: e.currentTarget.value })} />
                  </label>
                </>
              )}
              <button type="button" class="btn btn-small btn-quiet-danger" aria-label={t('Remove exception {n}', { n })} onClick={() => setD({ ...d, exceptions: d.exceptions.filter((_, j) => j !== i) })}>
                {t('Remove')}
              </button>
            </div>
          );
        })}
        <button type="button" class="btn btn-small" onClick={() => setD({ ...d, exceptions: [...d.exceptions, { date: new Date().toISOString().slice(0, 10), closed: true, from: '09:00', to: '12:00', label: '' }] })}>
          {t('Add exception')}
        </button>
      </fieldset>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {t('Save')}
        </button>
        <button type="button" class="btn" onClick={p.onCancel}>
          {t('Cancel')}
        </button>
      </div>
    </form>
  );
}

function MailPanel(p: { onError: (e: unknown) => void }) {
  const [status, setStatus] = useState<MailStatus | null>(null);
  const [failed, setFailed] = useState<MailEntry[]>([]);
  const load = () => {
    api.mailStatus().then(setStatus).catch(p.onError);
    api
      .mail()
      .then((l) => setFailed(l.filter((m) => m.state !== 'sent')))
      .catch(() => undefined);
  };
  useEffect(load, []);
  if (!status) return null;
  return (
    <section class="section mail-status" aria-labelledby="mail-h">
      <h2 id="mail-h">{t('E-mail')}</h2>
      {status.configured ? (
        <p>
          {t('Mail is sent from {from}. Waiting: {pending}. Failed: {failed}.', { from: status.from ?? '', pending: status.pending, failed: status.failed })}
        </p>
      ) : (
        <p class="banner warning" role="status">
          {t('E-mail is not set up (SMTP_URL is not set): offline messages are kept under Missed, and mails wait in the outbox until it is.')}
        </p>
      )}
      {status.lastError && <p class="form-error">{t('Last error: {error}', { error: status.lastError })}</p>}
      {failed.length > 0 && (
        <ul class="mail-list" aria-label={t('Mails not sent yet')}>
          {failed.map((m) => (
            <li key={m.id}>
              {t(m.state === 'failed' ? 'Failed: “{subject}” to {to}' : 'Waiting: “{subject}” to {to}', { subject: m.subject, to: m.to.join(', ') })} — {t('{count} attempts', { count: m.attempts })}
              {m.lastError ? ` (${m.lastError})` : ''}{' '}
              {m.state === 'failed' && (
                <button type="button" class="btn btn-small" onClick={() => void api.retryMail(m.id).then(load, p.onError)}>
                  {t('Send again')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function SchedulesPage(p: { onUnauthorized: () => void }) {
  const [list, setList] = useState<Schedule[] | null>(null);
  const [editing, setEditing] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const fail = failHandler(p.onUnauthorized, setError);
  useEffect(() => {
    api.schedules().then(setList).catch(fail);
  }, []);

  const remove = async (s: Schedule) => {
    if (!(await ask({ title: t('Delete schedule {name}?', { name: s.name }), message: t('Only a schedule that no flag or widget follows can be deleted.'), confirmLabel: t('Delete schedule'), danger: true }))) return;
    setError(null);
    try {
      await api.deleteSchedule(s.id);
      setList((l) => (l ?? []).filter((x) => x.id !== s.id));
      setStatus(t('Deleted schedule {name}.', { name: s.name }));
    } catch (e) {
      fail(e);
    }
  };

  return (
    <div class="page">
      <PageHead title={t('Schedules')} addLabel={t('Add schedule')} onAdd={() => setEditing(emptyDraft())} />
      <p class="hint">{t('Opening hours: flags can follow a schedule (on while open), and a widget with a schedule tells visitors when you are back.')}</p>
      <ErrorBanner message={error} />
      <p class="sr-only" role="status">
        {status}
      </p>
      {editing && (
        <Editor
          key={editing.id ?? 'new'}
          draft={editing}
          onUnauthorized={p.onUnauthorized}
          onCancel={() => setEditing(null)}
          onSaved={(s) => {
            setList((l) => (l ?? []).some((x) => x.id === s.id) ? (l ?? []).map((x) => (x.id === s.id ? s : x)) : [...(l ?? []), s]);
            setEditing(null);
            setStatus(t('Saved schedule {name}.', { name: s.name }));
          }}
        />
      )}
      {list === null && !error && <p class="loading">{t('Loading schedules…')}</p>}
      {list && list.length === 0 && !editing && <p class="empty">{t('No schedules yet.')}</p>}
      {list && list.length > 0 && (
        <ul class="schedule-list" aria-label={t('Schedules')}>
          {list.map((s) => (
            <li key={s.id} class="schedule-row">
              <span class="schedule-name">
                <strong>{s.name}</strong> <span class="muted">{s.timeZone}</span>
              </span>
              <span>
                {t(s.open ? 'Open now' : 'Closed now')} · {t(s.open ? 'closes {when}' : 'opens {when}', { when: when(s.nextChange) })}
              </span>
              <button type="button" class="btn btn-small" aria-label={t('Edit {name}', { name: s.name })} onClick={() => setEditing(toDraft(s))}>
                {t('Edit')}
              </button>
              <button type="button" class="btn btn-small btn-quiet-danger" aria-label={t('Delete {name}', { name: s.name })} onClick={() => void remove(s)}>
                {t('Delete')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <MailPanel onError={fail} />
    </div>
  );
}

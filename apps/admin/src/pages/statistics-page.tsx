/**
 * Statistics (spec section 12): a period, optionally one widget, agent or
 * group; totals, charts (uPlot, loaded on first use) and beside each chart a
 * table with the same numbers for screen-reader users; CSV download.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Group, Stats, User, Widget } from '@cw/protocol';
import { api } from '../api.js';
import { ErrorBanner, SelectField } from '../components/fields.js';
import { failHandler, PageHead } from '../components/page.js';
import { Chart, type Series } from '../stats/chart.js';
import { duration, isoDate, periodRange, type Period } from '../stats/period.js';
import { language, t } from '../i18n.js';
import { msg } from '@cw/client-core';

const COLORS = { chats: '#0a7d5c', voice: '#1f5fbf', video: '#8a3fb8', offline: '#b8621f', answered: '#0a7d5c', missed: '#c0392b', contacts: '#1f5fbf' };
const COUNTS = [
  ['chats', msg('Chats')],
  ['voiceCalls', msg('Voice calls')],
  ['videoCalls', msg('Video calls')],
  ['offlineMessages', msg('Offline messages')],
  ['answered', msg('Answered')],
  ['missed', msg('Missed')],
] as const;

function formatStart(iso: string, bucket: 'hour' | 'day'): string {
  const d = new Date(iso);
  return bucket === 'hour'
    ? language.date(d, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })
    : language.date(d, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
}

/** The buckets as CSV (ISO start, then the counts). */
export function statsCsv(s: Stats): string {
  const head = ['start', ...COUNTS.map(([k]) => k)].join(',');
  return [head, ...s.buckets.map((b) => [b.start, ...COUNTS.map(([k]) => b[k])].join(','))].join('\r\n') + '\r\n';
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function StatisticsPage(p: { onUnauthorized: () => void }) {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const today = isoDate(new Date());
  const [period, setPeriod] = useState<Period>('7d');
  const [custom, setCustom] = useState({ from: today, to: today });
  const [widget, setWidget] = useState('');
  const [agent, setAgent] = useState('');
  const [group, setGroup] = useState('');
  const [lists, setLists] = useState<{ widgets: Widget[]; users: User[]; groups: Group[] }>({ widgets: [], users: [], groups: [] });
  const [data, setData] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const fail = failHandler(p.onUnauthorized, setError);

  useEffect(() => {
    Promise.all([api.widgets(), api.users(), api.groups()])
      .then(([widgets, users, groups]) => setLists({ widgets, users: users.filter((u) => u.roles.includes('agent')), groups }))
      .catch(fail);
  }, []);

  const range = periodRange(period, custom);
  const customBad = period === 'custom' && (!custom.from || !custom.to || custom.to < custom.from);
  useEffect(() => {
    if (customBad) return;
    const q: Record<string, string> = { from: range.from, to: range.to, bucket: range.bucket, tz };
    if (widget) q.widget = widget;
    if (agent) q.agent = agent;
    if (group) q.group = group;
    setLoading(true);
    setError(null);
    api
      .stats(q)
      .then(setData)
      .catch(fail)
      .finally(() => setLoading(false));
  }, [range.from, range.to, range.bucket, widget, agent, group, customBad]);

  const charts = useMemo(() => {
    if (!data) return undefined;
    const x = data.buckets.map((b) => Date.parse(b.start) / 1000);
    const col = (k: (typeof COUNTS)[number][0]) => data.buckets.map((b) => b[k]);
    const contacts: Series[] = [
      { label: t("Chats"), values: col('chats'), color: COLORS.chats },
      { label: t("Voice calls"), values: col('voiceCalls'), color: COLORS.voice },
      { label: t("Video calls"), values: col('videoCalls'), color: COLORS.video },
      { label: t("Offline messages"), values: col('offlineMessages'), color: COLORS.offline },
    ];
    const outcome: Series[] = [
      { label: t("Answered"), values: col('answered'), color: COLORS.answered },
      { label: t("Missed"), values: col('missed'), color: COLORS.missed },
    ];
    const byHour = [...data.busiestHours].sort((a, b) => a.hour - b.hour);
    const hours: Series[] = [{ label: t("Contacts"), values: byHour.map((h) => h.contacts), color: COLORS.contacts }];
    return { x, contacts, outcome, hourX: byHour.map((h) => h.hour), hours };
  }, [data]);

  const unit = data?.period.bucket === 'hour' ? 'hour' : 'day';
  const totals = data?.totals;
  return (
    <section class="stats-page">
      <PageHead title={t("Statistics")} />
      <form class="stats-filters" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label={t("Period")}
          value={period}
          onValue={(v) => setPeriod(v as Period)}
          options={[
            { value: 'today', label: t("Today") },
            { value: '7d', label: t("Last 7 days") },
            { value: '30d', label: t("Last 30 days") },
            { value: 'custom', label: t("Custom") },
          ]}
        />
        {period === 'custom' && (
          <>
            <div class="field">
              <label for="stats-from">{t("From")}</label>
              <input id="stats-from" type="date" value={custom.from} max={today} onChange={(e) => setCustom({ ...custom, from: (e.target as HTMLInputElement).value })} />
            </div>
            <div class="field">
              <label for="stats-to">{t("To")}</label>
              <input id="stats-to" type="date" value={custom.to} min={custom.from} max={today} onChange={(e) => setCustom({ ...custom, to: (e.target as HTMLInputElement).value })} />
            </div>
          </>
        )}
        <SelectField label={t("Widget")} value={widget} onValue={setWidget} options={[{ value: '', label: t("All widgets") }, ...lists.widgets.map((w) => ({ value: w.uuid, label: w.name }))]} />
        <SelectField label={t("Agent")} value={agent} onValue={setAgent} options={[{ value: '', label: t("All agents") }, ...lists.users.filter((u) => u.sipId).map((u) => ({ value: u.sipId, label: u.displayName || u.username }))]} />
        <SelectField label={t("Group")} value={group} onValue={setGroup} options={[{ value: '', label: t("All groups") }, ...lists.groups.map((g) => ({ value: g.id, label: g.name }))]} />
        <button type="button" class="btn" disabled={!data} onClick={() => data && download(`statistics-${range.from}-to-${range.to}.csv`, statsCsv(data))}>
          {t("Download CSV")}
        </button>
      </form>
      <p class="muted">
        {t('Times in {timeZone}.', { timeZone: tz })} {customBad ? t("Choose a start date on or before the end date.") : ''}
      </p>
      <ErrorBanner message={error} />
      <p role="status" class="sr-only">
        {loading ? t("Loading statistics…") : data ? t("Statistics updated.") : ''}
      </p>

      {data && totals && charts && (
        <>
          <dl class="stats-totals" aria-label={t("Totals")}>
            {COUNTS.map(([k, label]) => (
              <div key={k}>
                <dt>{t(label)}</dt>
                <dd data-total={k}>{totals[k]}</dd>
              </div>
            ))}
            <div>
              <dt>{t("Time to answer, median")}</dt>
              <dd>{duration(totals.answerTimeP50Ms)}</dd>
            </div>
            <div>
              <dt>{t("Time to answer, 90 %")}</dt>
              <dd>{duration(totals.answerTimeP90Ms)}</dd>
            </div>
            <div>
              <dt>{t("Average call")}</dt>
              <dd>{duration(totals.callDurationAvgMs)}</dd>
            </div>
            <div>
              <dt>{t("Average chat")}</dt>
              <dd>{duration(totals.chatDurationAvgMs)}</dd>
            </div>
          </dl>

          <div class="stats-block">
            <h2 id="contacts-title">{unit === 'hour' ? t('Contacts per hour') : t('Contacts per day')}</h2>
            <Chart label={unit === 'hour' ? t('Chart of contacts per hour; the table "Contacts per hour" has the same numbers') : t('Chart of contacts per day; the table "Contacts per day" has the same numbers')} x={charts.x} series={charts.contacts} time />
            <Chart label={unit === 'hour' ? t('Chart of answered and missed contacts per hour; the same numbers are in the table') : t('Chart of answered and missed contacts per day; the same numbers are in the table')} x={charts.x} series={charts.outcome} time />
            <div class="table-wrap">
              <table class="table stats-table" aria-labelledby="contacts-title">
                <thead>
                  <tr>
                    <th scope="col">{unit === 'hour' ? t('Hour') : t('Day')}</th>
                    {COUNTS.map(([k, label]) => (
                      <th key={k} scope="col" class="num">
                        {t(label)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {data.buckets.map((b) => (
                    <tr key={b.start} data-start={b.start}>
                      <th scope="row">{formatStart(b.start, data.period.bucket)}</th>
                      {COUNTS.map(([k]) => (
                        <td key={k} class="num" data-col={k}>
                          {b[k]}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">{t("Total")}</th>
                    {COUNTS.map(([k]) => (
                      <td key={k} class="num" data-col={k}>
                        {totals[k]}
                      </td>
                    ))}
                  </tr>
                </tfoot>
              </table>
            </div>
          </div>

          <div class="stats-block">
            <h2 id="hours-title">{t("Busiest hours")}</h2>
            <Chart label={t("Bar chart of contacts by hour of the day; the table \"Busiest hours\" has the same numbers")} x={charts.hourX} series={charts.hours} time={false} bars xLabel={(v) => `${String(v).padStart(2, '0')}:00`} />
            <div class="table-wrap">
              <table class="table stats-table" aria-labelledby="hours-title">
                <thead>
                  <tr>
                    <th scope="col">{t("Hour of the day")}</th>
                    <th scope="col" class="num">
                      {t("Contacts")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.busiestHours
                    .filter((h) => h.contacts > 0)
                    .map((h) => (
                      <tr key={h.hour}>
                        <th scope="row">{`${String(h.hour).padStart(2, '0')}:00–${String(h.hour).padStart(2, '0')}:59`}</th>
                        <td class="num">{h.contacts}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          </div>

          <div class="stats-block">
            <h2 id="agents-title">{t("Agents")}</h2>
            {data.agents.length === 0 ? (
              <p class="muted">{t("No agent answered a call or chat in this period.")}</p>
            ) : (
              <div class="table-wrap">
                <table class="table stats-table" aria-labelledby="agents-title">
                  <thead>
                    <tr>
                      <th scope="col">{t("Agent")}</th>
                      <th scope="col" class="num">
                        {t("Calls answered")}
                      </th>
                      <th scope="col" class="num">
                        {t("Chats answered")}
                      </th>
                      <th scope="col" class="num">
                        {t("Talk time")}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.agents.map((a) => (
                      <tr key={a.id}>
                        <th scope="row">{a.displayName}</th>
                        <td class="num">{a.calls}</td>
                        <td class="num">{a.chats}</td>
                        <td class="num">{duration(a.talkTimeMs)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        </>
      )}
    </section>
  );
}

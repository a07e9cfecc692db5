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

const COLORS = { chats: '#0a7d5c', voice: '#1f5fbf', video: '#8a3fb8', offline: '#b8621f', answered: '#0a7d5c', missed: '#c0392b', contacts: '#1f5fbf' };
const COUNTS = [
  ['chats', 'Chats'],
  ['voiceCalls', 'Voice calls'],
  ['videoCalls', 'Video calls'],
  ['offlineMessages', 'Offline messages'],
  ['answered', 'Answered'],
  ['missed', 'Missed'],
] as const;

function formatStart(iso: string, bucket: 'hour' | 'day'): string {
  const d = new Date(iso);
  return bucket === 'hour'
    ? d.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
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
      { label: 'Chats', values: col('chats'), color: COLORS.chats },
      { label: 'Voice calls', values: col('voiceCalls'), color: COLORS.voice },
      { label: 'Video calls', values: col('videoCalls'), color: COLORS.video },
      { label: 'Offline messages', values: col('offlineMessages'), color: COLORS.offline },
    ];
    const outcome: Series[] = [
      { label: 'Answered', values: col('answered'), color: COLORS.answered },
      { label: 'Missed', values: col('missed'), color: COLORS.missed },
    ];
    const byHour = [...data.busiestHours].sort((a, b) => a.hour - b.hour);
    const hours: Series[] = [{ label: 'Contacts', values: byHour.map((h) => h.contacts), color: COLORS.contacts }];
    return { x, contacts, outcome, hourX: byHour.map((h) => h.hour), hours };
  }, [data]);

  const unit = data?.period.bucket === 'hour' ? 'hour' : 'day';
  const t = data?.totals;
  return (
    <section class="stats-page">
      <PageHead title="Statistics" />
      <form class="stats-filters" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label="Period"
          value={period}
          onValue={(v) => setPeriod(v as Period)}
          options={[
            { value: 'today', label: 'Today' },
            { value: '7d', label: 'Last 7 days' },
            { value: '30d', label: 'Last 30 days' },
            { value: 'custom', label: 'Custom' },
          ]}
        />
        {period === 'custom' && (
          <>
            <div class="field">
              <label for="stats-from">From</label>
              <input id="stats-from" type="date" value={custom.from} max={today} onChange={(e) => setCustom({ ...custom, from: (e.target as HTMLInputElement).value })} />
            </div>
            <div class="field">
              <label for="stats-to">To</label>
              <input id="stats-to" type="date" value={custom.to} min={custom.from} max={today} onChange={(e) => setCustom({ ...custom, to: (e.target as HTMLInputElement).value })} />
            </div>
          </>
        )}
        <SelectField label="Widget" value={widget} onValue={setWidget} options={[{ value: '', label: 'All widgets' }, ...lists.widgets.map((w) => ({ value: w.uuid, label: w.name }))]} />
        <SelectField label="Agent" value={agent} onValue={setAgent} options={[{ value: '', label: 'All agents' }, ...lists.users.filter((u) => u.sipId).map((u) => ({ value: u.sipId, label: u.displayName || u.username }))]} />
        <SelectField label="Group" value={group} onValue={setGroup} options={[{ value: '', label: 'All groups' }, ...lists.groups.map((g) => ({ value: g.id, label: g.name }))]} />
        <button type="button" class="btn" disabled={!data} onClick={() => data && download(`statistics-${range.from}-to-${range.to}.csv`, statsCsv(data))}>
          Download CSV
        </button>
      </form>
      <p class="muted">
        Times in {tz}. {customBad ? 'Choose a start date on or before the end date.' : ''}
      </p>
      <ErrorBanner message={error} />
      <p role="status" class="sr-only">
        {loading ? 'Loading statistics…' : data ? 'Statistics updated.' : ''}
      </p>

      {data && t && charts && (
        <>
          <dl class="stats-totals" aria-label="Totals">
            {COUNTS.map(([k, label]) => (
              <div key={k}>
                <dt>{label}</dt>
                <dd data-total={k}>{t[k]}</dd>
              </div>
            ))}
            <div>
              <dt>Time to answer, median</dt>
              <dd>{duration(t.answerTimeP50Ms)}</dd>
            </div>
            <div>
              <dt>Time to answer, 90 %</dt>
              <dd>{duration(t.answerTimeP90Ms)}</dd>
            </div>
            <div>
              <dt>Average call</dt>
              <dd>{duration(t.callDurationAvgMs)}</dd>
            </div>
            <div>
              <dt>Average chat</dt>
              <dd>{duration(t.chatDurationAvgMs)}</dd>
            </div>
          </dl>

          <div class="stats-block">
            <h2 id="contacts-title">Contacts per {unit}</h2>
            <Chart label={`Chart of contacts per ${unit}; the table "Contacts per ${unit}" has the same numbers`} x={charts.x} series={charts.contacts} time />
            <Chart label={`Chart of answered and missed contacts per ${unit}; the same numbers are in the table`} x={charts.x} series={charts.outcome} time />
            <div class="table-wrap">
              <table class="table stats-table" aria-labelledby="contacts-title">
                <thead>
                  <tr>
                    <th scope="col">{unit === 'hour' ? 'Hour' : 'Day'}</th>
                    {COUNTS.map(([k, label]) => (
                      <th key={k} scope="col" class="num">
                        {label}
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
                    <th scope="row">Total</th>
                    {COUNTS.map(([k]) => (
                      <td key={k} class="num" data-col={k}>
                        {t[k]}
                      </td>
                    ))}
                  </tr>
                </tfoot>
              </table>
            </div>
          </div>

          <div class="stats-block">
            <h2 id="hours-title">Busiest hours</h2>
            <Chart label='Bar chart of contacts by hour of the day; the table "Busiest hours" has the same numbers' x={charts.hourX} series={charts.hours} time={false} bars xLabel={(v) => `${String(v).padStart(2, '0')}:00`} />
            <div class="table-wrap">
              <table class="table stats-table" aria-labelledby="hours-title">
                <thead>
                  <tr>
                    <th scope="col">Hour of the day</th>
                    <th scope="col" class="num">
                      Contacts
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
            <h2 id="agents-title">Agents</h2>
            {data.agents.length === 0 ? (
              <p class="muted">No agent answered a call or chat in this period.</p>
            ) : (
              <div class="table-wrap">
                <table class="table stats-table" aria-labelledby="agents-title">
                  <thead>
                    <tr>
                      <th scope="col">Agent</th>
                      <th scope="col" class="num">
                        Calls answered
                      </th>
                      <th scope="col" class="num">
                        Chats answered
                      </th>
                      <th scope="col" class="num">
                        Talk time
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

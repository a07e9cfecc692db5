/** The audit trail (spec section 12): who changed what, when and from where; filterable, read-only. */
import { useEffect, useState } from 'preact/hooks';
import type { AuditEntry } from '@cw/protocol';
import { api } from '../api.js';
import { ErrorBanner, TextField } from '../components/fields.js';
import { failHandler, PageHead } from '../components/page.js';
import { language, t } from '../i18n.js';

const PAGE = 50;
const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));

export function AuditPage(p: { onUnauthorized: () => void }) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fail = failHandler(p.onUnauthorized, setError);

  const query = (before?: string) => {
    const q: Record<string, string> = { limit: String(PAGE) };
    if (actor.trim()) q.actor = actor.trim();
    if (action.trim()) q.action = action.trim();
    if (from) q.from = String(new Date(`${from}T00:00:00`).getTime());
    if (to) q.to = String(new Date(`${to}T00:00:00`).getTime() + 86_400_000);
    if (before) q.before = before;
    return q;
  };
  const load = (append = false) => {
    setError(null);
    api
      .audit(query(append ? entries?.at(-1)?.id : undefined))
      .then((list) => {
        setEntries(append ? [...(entries ?? []), ...list] : list);
        setMore(list.length === PAGE);
      })
      .catch(fail);
  };
  useEffect(() => load(), []);

  return (
    <section>
      <PageHead title={t("Audit")} />
      <p class="muted">{t("Every change made through the admin app or the API. Entries cannot be changed or deleted.")}</p>
      <form
        class="stats-filters"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <TextField label={t("User")} value={actor} onValue={setActor} hint={t("username")} />
        <TextField label={t("Action")} value={action} onValue={setAction} hint={t("e.g. widget.update, or widget.")} />
        <div class="field">
          <label for="audit-from">{t("From")}</label>
          <input id="audit-from" type="date" value={from} onChange={(e) => setFrom((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="audit-to">{t("To")}</label>
          <input id="audit-to" type="date" value={to} onChange={(e) => setTo((e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit" class="btn btn-primary">
          {t("Filter")}
        </button>
      </form>
      <ErrorBanner message={error} />
      {entries === null ? (
        <p class="loading">{t("Loading…")}</p>
      ) : entries.length === 0 ? (
        <p class="empty-state">{t("No entries.")}</p>
      ) : (
        <div class="table-wrap">
          <table class="table audit-table">
            <caption class="sr-only">{t("Audit entries, newest first")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("When")}</th>
                <th scope="col">{t("Who")}</th>
                <th scope="col">{t("From")}</th>
                <th scope="col">{t("Action")}</th>
                <th scope="col">{t("What")}</th>
                <th scope="col">{t("Changes")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{language.date(e.ts)}</td>
                  <td>
                    {e.actor.username}
                    {e.actor.via !== 'session' && <span class="hint"> ({e.actor.via === 'token' ? t("API token") : 'command line'})</span>}
                  </td>
                  <td>{e.ip || '—'}</td>
                  <th scope="row">{e.action}</th>
                  <td>{e.targetName || e.target || '—'}</td>
                  <td>
                    {Object.keys(e.diff).length === 0 ? (
                      '—'
                    ) : (
                      <ul class="diff">
                        {Object.entries(e.diff).map(([field, c]) => (
                          <li key={field}>
                            <code>{field}</code>: {show(c.from)} → {show(c.to)}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more && (
        <button type="button" class="btn" onClick={() => load(true)}>
          {t("Show older entries")}
        </button>
      )}
    </section>
  );
}

/**
 * Flags: named on/off switches. An agent whose availability is "Flag" is
 * available while its flag is on. Toggling takes effect on websites at once.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Flag, Schedule } from '@cw/protocol';
import { api, ApiError } from '../api.js';
import { ErrorBanner, TextField } from '../components/fields.js';
import { ask } from '../components/confirm.js';
import { failHandler, PageHead } from '../components/page.js';
import { splitError } from './users-page.js';
import { t } from '../i18n.js';

function FlagRow(p: { flag: Flag; schedules: Schedule[]; usedBy: string[]; onChange: (f: Flag) => void; onError: (e: unknown) => void; onDelete: () => void }) {
  const f = p.flag;
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(f.name);
  const [busy, setBusy] = useState(false);

  const put = async (body: { name?: string; value?: boolean; scheduleId?: string | null }) => {
    setBusy(true);
    try {
      const res = await api.putFlag(f.id, body);
      p.onChange(res && typeof res === 'object' && 'id' in res ? res : { ...f, ...body });
      return true;
    } catch (e) {
      p.onError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <li class="flag-row">
      <button type="button" role="switch" class={`switch ${f.value ? 'on' : ''}`} aria-checked={f.value} disabled={busy} onClick={() => put({ value: !f.value })} aria-label={f.name}>
        <span class="knob" aria-hidden="true" />
      </button>
      <span class={`flag-state ${f.value ? 'on' : ''}`} aria-hidden="true">
        {f.value ? t('On') : t('Off')}
      </span>
      {renaming ? (
        <form
          class="inline-form"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!name.trim()) return;
            if (await put({ name: name.trim() })) setRenaming(false);
          }}
        >
          <TextField label={t("New name for {name}", { name: f.name })} value={name} onValue={setName} autofocus />
          <button type="submit" class="btn btn-small btn-primary">
            {t("Save name")}
          </button>
          <button
            type="button"
            class="btn btn-small"
            onClick={() => {
              setName(f.name);
              setRenaming(false);
            }}
          >
            {t("Cancel")}
          </button>
        </form>
      ) : (
        <>
          <span class="flag-name">
            {f.name}
            <span class="flag-use">{p.usedBy.length ? t('Used by {widgets}', { widgets: p.usedBy.join(', ') }) : t("Not used by any widget")}</span>
          </span>
          <label class="flag-schedule">
            <span class="sr-only">{t('Schedule of {name}', { name: f.name })}</span>
            <select aria-label={t('Schedule of {name}', { name: f.name })} value={f.scheduleId ?? ''} disabled={busy} onChange={(e) => void put({ scheduleId: e.currentTarget.value || null })}>
              <option value="">{t('Set by hand')}</option>
              {p.schedules.map((x) => (
                <option value={x.id}>{t('On while “{name}” is open', { name: x.name })}</option>
              ))}
            </select>
          </label>
          <button type="button" class="btn btn-small" aria-label={t("Rename {name}", { name: f.name })} onClick={() => setRenaming(true)}>
            {t("Rename")}
          </button>
          <button type="button" class="btn btn-small btn-quiet-danger" aria-label={t("Delete {name}", { name: f.name })} disabled={busy} onClick={p.onDelete}>
            {t("Delete")}
          </button>
        </>
      )}
    </li>
  );
}

export function FlagsPage(p: { onUnauthorized: () => void }) {
  const [flags, setFlags] = useState<Flag[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [nameErr, setNameErr] = useState<string | undefined>();
  const [status, setStatus] = useState('');

  const fail = failHandler(p.onUnauthorized, setError);
  const [usage, setUsage] = useState<Record<string, string[]>>({});
  const [schedules, setSchedules] = useState<Schedule[]>([]);
  useEffect(() => {
    api.schedules().then(setSchedules).catch(() => undefined);
    api.flags().then(setFlags).catch(fail);
    // Which agents follow which flag: shown so that a toggle's effect is clear.
    api
      .widgets()
      .then((widgetList) => {
        const u: Record<string, string[]> = {};
        for (const w of widgetList)
          for (const a of w.agents) if (a.availability === 'boolean' && a.flag) (u[a.flag] ??= []).push(`${w.name} (${a.displayName || a.sipId})`);
        setUsage(u);
      })
      .catch(() => undefined);
  }, []);

  const create = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) return setNameErr(t("Enter a name for the flag."));
    setNameErr(undefined);
    try {
      const f = await api.createFlag(name.trim());
      setFlags((list) => [...(list ?? []), f]);
      setStatus(t("Created flag {name}.", { name: f.name }));
      setName('');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return p.onUnauthorized();
      setNameErr(splitError(err).message);
    }
  };

  const remove = async (f: Flag) => {
    if (!(await ask({ title: t("Delete flag {name}?", { name: f.name }), message: t("Only a flag that no widget uses can be deleted."), confirmLabel: t("Delete flag"), danger: true }))) return;
    setError(null);
    try {
      await api.deleteFlag(f.id);
      setFlags((list) => (list ?? []).filter((x) => x.id !== f.id));
      setStatus(t("Deleted flag {name}.", { name: f.name }));
    } catch (e) {
      fail(e);
    }
  };

  return (
    <div class="page">
      <PageHead title={t("Flags")} />
      <p class="hint">{t("A flag is an on/off switch, e.g. “Hotline open”. Agents whose availability is set to a flag are available while it is on. Changes show on websites at once.")}</p>
      <ErrorBanner message={error} />
      <form class="inline-form create-flag" onSubmit={create} noValidate>
        <TextField label={t("New flag")} value={name} onValue={setName} error={nameErr} placeholder={t("e.g. Hotline open")} />
        <button type="submit" class="btn btn-primary">
          {t("Create flag")}
        </button>
      </form>
      <p class="sr-only" role="status">
        {status}
      </p>
      {flags === null && !error && <p class="loading">{t("Loading flags…")}</p>}
      {flags && flags.length === 0 && <p class="empty">{t("No flags yet.")}</p>}
      {flags && flags.length > 0 && (
        <ul class="flag-list" aria-label={t("Flags")}>
          {flags.map((f) => (
            <FlagRow
              key={f.id}
              flag={f}
              schedules={schedules}
              usedBy={usage[f.id] ?? []}
              onError={fail}
              onDelete={() => void remove(f)}
              onChange={(changed) => {
                setFlags((list) => (list ?? []).map((x) => (x.id === f.id ? changed : x)));
                setStatus(`${changed.name} is ${changed.value ? 'on' : 'off'}.`);
              }}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

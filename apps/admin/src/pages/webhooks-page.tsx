/**
 * Webhooks (spec section 12): register a URL for events; the signing secret
 * is shown once; each webhook has its delivery log, "Send test event",
 * "Retry" for a delivery that was given up, and a new secret on demand.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Webhook, WebhookCreated, WebhookDelivery, WebhookEventName } from '@cw/protocol';
import { api } from '../api.js';
import { ask } from '../components/confirm.js';
import { CheckField, ErrorBanner, TextField } from '../components/fields.js';
import { Modal } from '../components/modal.js';
import { DataTable, failHandler, PageHead } from '../components/page.js';
import { language, t, tx } from '../i18n.js';
import { msg } from '@cw/client-core';

const EVENTS: { name: WebhookEventName; label: string }[] = [
  { name: 'chat.started', label: msg("Chat started") },
  { name: 'chat.ended', label: msg("Chat ended (with transcript)") },
  { name: 'call.started', label: msg("Call started") },
  { name: 'call.answered', label: msg("Call answered") },
  { name: 'call.ended', label: msg("Call ended (with cause)") },
  { name: 'offline.message', label: msg("Offline message") },
  { name: 'presence.changed', label: msg("Agent presence changed") },
];

const when = (ts: number | null) => (ts === null ? '—' : language.date(ts));

function HookDialog(p: { hook?: Webhook; onClose: () => void; onSaved: (w: Webhook | WebhookCreated) => void }) {
  const [url, setUrl] = useState(p.hook?.url ?? 'https://');
  const [events, setEvents] = useState<WebhookEventName[]>(p.hook?.events ?? ['chat.ended', 'call.ended']);
  const [active, setActive] = useState(p.hook?.active ?? true);
  const [description, setDescription] = useState(p.hook?.description ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    if (events.length === 0) return setError(t("Choose at least one event."));
    setBusy(true);
    try {
      const body = { url: url.trim(), events, active, description };
      p.onSaved(p.hook ? await api.putWebhook(p.hook.id, body) : await api.createWebhook(body));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title={p.hook ? t("Edit webhook {url}", { url: p.hook.url }) : t("Add webhook")}
      onClose={p.onClose}
      onSubmit={save}
      footer={
        <>
          <button type="button" class="btn" onClick={p.onClose}>
            {t("Cancel")}
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {p.hook ? t("Save webhook") : t("Add webhook")}
          </button>
        </>
      }
    >
      <ErrorBanner message={error} />
      <TextField label={t("URL")} value={url} onValue={setUrl} type="url" hint={t("Deliveries are POSTed here as signed JSON.")} autofocus />
      <TextField label={t("Description")} value={description} onValue={setDescription} />
      <fieldset class="field">
        <legend>{t("Events")}</legend>
        {EVENTS.map((ev) => (
          <CheckField
            key={ev.name}
            label={t(ev.label)}
            checked={events.includes(ev.name)}
            onChecked={(on) => setEvents(on ? [...events, ev.name] : events.filter((x) => x !== ev.name))}
          />
        ))}
      </fieldset>
      <CheckField label={t("Active")} checked={active} onChecked={setActive} />
    </Modal>
  );
}

function SecretDialog(p: { hook: WebhookCreated; onClose: () => void }) {
  return (
    <Modal
      title={t("Signing secret")}
      description={t("Copy it now: it is shown only this once.")}
      onClose={p.onClose}
      footer={
        <button type="button" class="btn btn-primary" onClick={p.onClose}>
          {t("Done")}
        </button>
      }
    >
      <p>
        {tx('Receivers check {header} with this secret (see the README, “Webhooks”).', { header: <code>X-CW-Signature</code> })}
      </p>
      <TextField label={t("Secret")} value={p.hook.secret} onValue={() => undefined} />
      <button type="button" class="btn" onClick={() => void navigator.clipboard?.writeText(p.hook.secret)}>
        {t("Copy secret")}
      </button>
    </Modal>
  );
}

function Deliveries(p: { hook: Webhook; onError: (e: unknown) => void; refresh: number }) {
  const [list, setList] = useState<WebhookDelivery[] | null>(null);
  const load = () => api.deliveries(p.hook.id).then(setList).catch(p.onError);
  useEffect(() => {
    void load();
  }, [p.hook.id, p.refresh]);
  if (!list) return <p class="loading">{t("Loading deliveries…")}</p>;
  if (list.length === 0) return <p class="empty">{t("No deliveries yet.")}</p>;
  return (
    <DataTable caption={t('Deliveries to {url}', { url: p.hook.url })} columns={[t("Event"), t("State"), t("Attempts"), t("Last answer"), t("Queued"), t("Next attempt")]}>
      {list.map((d) => (
        <tr key={d.id}>
          <th scope="row">
            {d.event}
            <span class="hint"> {d.id}</span>
          </th>
          <td>{d.state}</td>
          <td>{d.attempts}</td>
          <td>{d.lastError || (d.lastStatus ? `${d.lastStatus}` : '—')}</td>
          <td>{when(d.createdAt)}</td>
          <td>{when(d.nextAttemptAt)}</td>
          <td>
            {d.state === 'failed' && (
              <button type="button" class="btn btn-small" onClick={() => api.retryDelivery(p.hook.id, d.id).then(load).catch(p.onError)}>
                {t("Retry")}
              </button>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

export function WebhooksPage(p: { onUnauthorized: () => void }) {
  const [hooks, setHooks] = useState<Webhook[] | null>(null);
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  const [secret, setSecret] = useState<WebhookCreated | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const fail = failHandler(p.onUnauthorized, setError);
  const load = () => api.webhooks().then(setHooks).catch(fail);
  useEffect(() => {
    void load();
  }, []);

  return (
    <section>
      <PageHead title={t("Webhooks")} addLabel={t("Add webhook")} onAdd={() => setEditing('new')} />
      <p class="muted">{t("Tell other systems what happens: each event is POSTed as signed JSON and retried until the receiver answers.")}</p>
      <ErrorBanner message={error} />
      <p role="status" class="sr-only">
        {note}
      </p>
      {hooks === null ? (
        <p class="loading">{t("Loading…")}</p>
      ) : hooks.length === 0 ? (
        <p class="empty-state">{t("No webhooks yet.")}</p>
      ) : (
        <ul class="hook-list">
          {hooks.map((h) => (
            <li key={h.id} class="hook">
              <div class="hook-head">
                <h2>{h.url}</h2>
                <span class={`badge ${h.active ? 'on' : ''}`}>{h.active ? t('Active') : t('Paused')}</span>
              </div>
              {h.description && <p>{h.description}</p>}
              <p class="hint">{h.events.join(', ')}</p>
              <div class="actions">
                <button
                  type="button"
                  class="btn btn-small"
                  aria-label={t("Send test event to {url}", { url: h.url })}
                  onClick={() =>
                    api
                      .testWebhook(h.id)
                      .then(() => {
                        setNote(t("Test event queued for {url}.", { url: h.url }));
                        setOpen(h.id);
                        setRefresh((n) => n + 1);
                      })
                      .catch(fail)
                  }
                >
                  {t("Send test event")}
                </button>
                <button type="button" class="btn btn-small" aria-expanded={open === h.id} onClick={() => setOpen(open === h.id ? null : h.id)}>
                  {t("Delivery log")}
                </button>
                <button type="button" class="btn btn-small" aria-label={t("Edit {url}", { url: h.url })} onClick={() => setEditing(h)}>
                  {t("Edit")}
                </button>
                <button
                  type="button"
                  class="btn btn-small"
                  aria-label={t("New secret for {url}", { url: h.url })}
                  onClick={async () => {
                    if (!(await ask({ title: t("Make a new secret?"), message: t("The current secret stops working at once; receivers need the new one."), confirmLabel: t("New secret") }))) return;
                    api.rotateWebhookSecret(h.id).then(setSecret).catch(fail);
                  }}
                >
                  {t("New secret")}
                </button>
                <button
                  type="button"
                  class="btn btn-small btn-quiet-danger"
                  aria-label={t("Delete {url}", { url: h.url })}
                  onClick={async () => {
                    if (!(await ask({ title: t("Delete webhook?"), message: t("Deliveries to {url} stop, and its delivery log is removed.", { url: h.url }), confirmLabel: t("Delete"), danger: true }))) return;
                    api.deleteWebhook(h.id).then(load).catch(fail);
                  }}
                >
                  {t("Delete")}
                </button>
                {open === h.id && (
                  <button type="button" class="btn btn-small" onClick={() => setRefresh((n) => n + 1)}>
                    {t("Refresh log")}
                  </button>
                )}
              </div>
              {open === h.id && <Deliveries hook={h} onError={fail} refresh={refresh} />}
            </li>
          ))}
        </ul>
      )}
      {editing && (
        <HookDialog
          hook={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={(w) => {
            setEditing(null);
            if ('secret' in w) setSecret(w);
            void load();
          }}
        />
      )}
      {secret && <SecretDialog hook={secret} onClose={() => setSecret(null)} />}
    </section>
  );
}

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
import { failHandler, PageHead } from '../components/page.js';

const EVENTS: { name: WebhookEventName; label: string }[] = [
  { name: 'chat.started', label: 'Chat started' },
  { name: 'chat.ended', label: 'Chat ended (with transcript)' },
  { name: 'call.started', label: 'Call started' },
  { name: 'call.answered', label: 'Call answered' },
  { name: 'call.ended', label: 'Call ended (with cause)' },
  { name: 'offline.message', label: 'Offline message' },
  { name: 'presence.changed', label: 'Agent presence changed' },
];

const when = (ts: number | null) => (ts === null ? '—' : new Date(ts).toLocaleString());

function HookDialog(p: { hook?: Webhook; onClose: () => void; onSaved: (w: Webhook | WebhookCreated) => void }) {
  const [url, setUrl] = useState(p.hook?.url ?? 'https://');
  const [events, setEvents] = useState<WebhookEventName[]>(p.hook?.events ?? ['chat.ended', 'call.ended']);
  const [active, setActive] = useState(p.hook?.active ?? true);
  const [description, setDescription] = useState(p.hook?.description ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    if (events.length === 0) return setError('Choose at least one event.');
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
      title={p.hook ? `Edit webhook ${p.hook.url}` : 'Add webhook'}
      onClose={p.onClose}
      onSubmit={save}
      footer={
        <>
          <button type="button" class="btn" onClick={p.onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {p.hook ? 'Save webhook' : 'Add webhook'}
          </button>
        </>
      }
    >
      <ErrorBanner message={error} />
      <TextField label="URL" value={url} onValue={setUrl} type="url" hint="Deliveries are POSTed here as signed JSON." autofocus />
      <TextField label="Description" value={description} onValue={setDescription} />
      <fieldset class="field">
        <legend>Events</legend>
        {EVENTS.map((ev) => (
          <CheckField
            key={ev.name}
            label={ev.label}
            checked={events.includes(ev.name)}
            onChecked={(on) => setEvents(on ? [...events, ev.name] : events.filter((x) => x !== ev.name))}
          />
        ))}
      </fieldset>
      <CheckField label="Active" checked={active} onChecked={setActive} />
    </Modal>
  );
}

function SecretDialog(p: { hook: WebhookCreated; onClose: () => void }) {
  return (
    <Modal
      title="Signing secret"
      description="Copy it now: it is shown only this once."
      onClose={p.onClose}
      footer={
        <button type="button" class="btn btn-primary" onClick={p.onClose}>
          Done
        </button>
      }
    >
      <p>
        Receivers check <code>X-CW-Signature</code> with this secret (see the README, "Webhooks").
      </p>
      <TextField label="Secret" value={p.hook.secret} onValue={() => undefined} />
      <button type="button" class="btn" onClick={() => void navigator.clipboard?.writeText(p.hook.secret)}>
        Copy secret
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
  if (!list) return <p class="loading">Loading deliveries…</p>;
  if (list.length === 0) return <p class="empty">No deliveries yet.</p>;
  return (
    <div class="table-wrap">
      <table class="table">
        <caption class="sr-only">Deliveries to {p.hook.url}</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">State</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">Queued</th>
            <th scope="col">Next attempt</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
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
                    Retry
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
      <PageHead title="Webhooks" addLabel="Add webhook" onAdd={() => setEditing('new')} />
      <p class="muted">Tell other systems what happens: each event is POSTed as signed JSON and retried until the receiver answers.</p>
      <ErrorBanner message={error} />
      <p role="status" class="sr-only">
        {note}
      </p>
      {hooks === null ? (
        <p class="loading">Loading…</p>
      ) : hooks.length === 0 ? (
        <p class="empty-state">No webhooks yet.</p>
      ) : (
        <ul class="hook-list">
          {hooks.map((h) => (
            <li key={h.id} class="hook">
              <div class="hook-head">
                <h2>{h.url}</h2>
                <span class={`badge ${h.active ? 'on' : ''}`}>{h.active ? 'Active' : 'Paused'}</span>
              </div>
              {h.description && <p>{h.description}</p>}
              <p class="hint">{h.events.join(', ')}</p>
              <div class="actions">
                <button
                  type="button"
                  class="btn btn-small"
                  aria-label={`Send test event to ${h.url}`}
                  onClick={() =>
                    api
                      .testWebhook(h.id)
                      .then(() => {
                        setNote(`Test event queued for ${h.url}.`);
                        setOpen(h.id);
                        setRefresh((n) => n + 1);
                      })
                      .catch(fail)
                  }
                >
                  Send test event
                </button>
                <button type="button" class="btn btn-small" aria-expanded={open === h.id} onClick={() => setOpen(open === h.id ? null : h.id)}>
                  Delivery log
                </button>
                <button type="button" class="btn btn-small" aria-label={`Edit ${h.url}`} onClick={() => setEditing(h)}>
                  Edit
                </button>
                <button
                  type="button"
                  class="btn btn-small"
                  aria-label={`New secret for ${h.url}`}
                  onClick={async () => {
                    if (!(await ask({ title: 'Make a new secret?', message: 'The current secret stops working at once; receivers need the new one.', confirmLabel: 'New secret' }))) return;
                    api.rotateWebhookSecret(h.id).then(setSecret).catch(fail);
                  }}
                >
                  New secret
                </button>
                <button
                  type="button"
                  class="btn btn-small btn-quiet-danger"
                  aria-label={`Delete ${h.url}`}
                  onClick={async () => {
                    if (!(await ask({ title: 'Delete webhook?', message: `Deliveries to ${h.url} stop, and its delivery log is removed.`, confirmLabel: 'Delete', danger: true }))) return;
                    api.deleteWebhook(h.id).then(load).catch(fail);
                  }}
                >
                  Delete
                </button>
                {open === h.id && (
                  <button type="button" class="btn btn-small" onClick={() => setRefresh((n) => n + 1)}>
                    Refresh log
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

/** Missed (spec 11): offline messages, unanswered calls and chat requests, with Reply by e-mail and Mark done. */
import { useEffect, useState } from 'preact/hooks';
import { listMissed, markMissed, type Missed } from '../api.js';
import { dateTime } from './format.js';
import { mailUrl, msg } from '@cw/client-core';
import { t } from '../i18n.js';
import type { ConsoleStore } from '../state/store.js';

const KIND: Record<Missed['kind'], string> = { offline: msg('Message'), call: msg('Missed call'), chat: msg('Unanswered chat') };
/**
 * Re-read this often while the view is open, for what this console does not hear of (offline messages,
 * calls to widgets whose requests did not ring here); what rang here re-reads at once (`store.onMissed`).
 */
const REFRESH_MS = 60_000;
/** After a missed call or chat request: re-read now and once more (the server writes the item as the call ends). */
const AFTER_EVENT_MS = [300, 2500];

/** A mailto: URL for a reply (encoded by client-core's mailUrl), or null when there is no usable address. */
export function replyUrl(m: Missed): string | null {
  const subject = m.kind === 'offline' ? `Re: your message to ${m.widget.name}` : `Your contact with ${m.widget.name}`;
  const quoted = m.text ? `\n\n> ${m.text.split('\n').join('\n> ')}` : '';
  return mailUrl(m.email, { subject, body: `Hello ${m.name || ''},${quoted}` });
}

export function MissedView(props: { store?: ConsoleStore }) {
  const [show, setShow] = useState<'open' | 'all'>('open');
  const [items, setItems] = useState<Missed[] | null>(null);
  const [error, setError] = useState('');
  const [said, setSaid] = useState('');

  const load = () =>
    listMissed(show)
      .then((l) => (setItems(l), setError('')))
      .catch((e: Error) => setError(t('Missed contacts could not be loaded: {error}', { error: e.message })));

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    const later = new Set<ReturnType<typeof setTimeout>>();
    const soon = () => {
      for (const ms of AFTER_EVENT_MS) {
        const h = setTimeout(() => (later.delete(h), void load()), ms);
        later.add(h);
      }
    };
    const unsub = props.store?.onMissed(soon);
    const onVisible = () => document.visibilityState === 'visible' && void load();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      for (const h of later) clearTimeout(h);
      unsub?.();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [show, props.store]);

  const done = async (m: Missed) => {
    try {
      await markMissed(m.id, m.state === 'done' ? 'open' : 'done');
      setSaid(t(m.state === 'done' ? '{name} is open again.' : '{name} marked done.', { name: m.name || m.email || t('Item') }));
      await load();
    } catch (e) {
      setError(t('Could not change it: {error}', { error: (e as Error).message }));
    }
  };

  return (
    <section class="missed" aria-labelledby="missed-h">
      <h2 id="missed-h">{t('Missed')}</h2>
      <div class="missed-filter">
        <label>
          <input type="checkbox" checked={show === 'all'} onChange={(e) => setShow(e.currentTarget.checked ? 'all' : 'open')} /> {t('Show done items too')}
        </label>
      </div>
      <p class="sr-only" role="status">
        {said}
      </p>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {items === null ? (
        <p class="empty">{t('Loading…')}</p>
      ) : items.length === 0 ? (
        <p class="empty">{t('Nothing missed. Messages left while nobody was available, unanswered calls and chat requests appear here.')}</p>
      ) : (
        <ul class="missed-items" aria-label={t('Missed contacts')}>
          {items.map((m) => {
            const reply = replyUrl(m);
            return (
              <li class={`missed-item ${m.state}`} key={m.id}>
                <article aria-label={t('{kind} from {name}', { kind: t(KIND[m.kind]), name: m.name || m.email || t('a visitor') })}>
                  <p class="missed-head">
                    <strong>{m.name || t('Visitor')}</strong>
                    {m.email && <span> · {m.email}</span>}
                    <span class="muted">
                      {' '}
                      · {t(KIND[m.kind])} · {m.widget.name} · {dateTime(m.ts)}
                      {m.state === 'done' ? ` · ${t('done')}` : ''}
                    </span>
                  </p>
                  {m.text && <p class="text">{m.text}</p>}
                  <div class="missed-actions">
                    <button type="button" disabled={!reply} title={reply ? undefined : t('No e-mail address was given')} onClick={() => reply && (window.location.href = reply)}>
                      {t('Reply by e-mail')}
                    </button>
                    <button type="button" class={m.state === 'done' ? 'quiet' : 'primary'} onClick={() => void done(m)}>
                      {t(m.state === 'done' ? 'Open again' : 'Mark done')}
                    </button>
                  </div>
                </article>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

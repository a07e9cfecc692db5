/** Missed (spec 11): offline messages, unanswered calls and chat requests, with Reply by e-mail and Mark done. */
import { useEffect, useState } from 'preact/hooks';
import { listMissed, markMissed, type Missed } from '../api.js';
import { dateTime } from './format.js';

const KIND: Record<Missed['kind'], string> = { offline: 'Message', call: 'Missed call', chat: 'Unanswered chat' };
/** Re-read this often while the view is open (new items from visitors). */
const REFRESH_MS = 15_000;

/** A mailto: URL for a reply, or null when the address could smuggle in more headers. */
export function replyUrl(m: Missed): string | null {
  if (!m.email || /[?&%\s]/.test(m.email)) return null;
  const subject = m.kind === 'offline' ? `Re: your message to ${m.widget.name}` : `Your contact with ${m.widget.name}`;
  const quoted = m.text ? `\n\n> ${m.text.split('\n').join('\n> ')}` : '';
  return `mailto:${encodeURIComponent(m.email).replace(/%40/g, '@')}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(`Hello ${m.name || ''},${quoted}`)}`;
}

export function MissedView() {
  const [show, setShow] = useState<'open' | 'all'>('open');
  const [items, setItems] = useState<Missed[] | null>(null);
  const [error, setError] = useState('');
  const [said, setSaid] = useState('');

  const load = () =>
    listMissed(show)
      .then((l) => (setItems(l), setError('')))
      .catch((e: Error) => setError(`Missed contacts could not be loaded: ${e.message}`));

  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(t);
  }, [show]);

  const done = async (m: Missed) => {
    try {
      await markMissed(m.id, m.state === 'done' ? 'open' : 'done');
      setSaid(m.state === 'done' ? `${m.name || m.email || 'Item'} is open again.` : `${m.name || m.email || 'Item'} marked done.`);
      await load();
    } catch (e) {
      setError(`Could not change it: ${(e as Error).message}`);
    }
  };

  return (
    <section class="missed" aria-labelledby="missed-h">
      <h2 id="missed-h">Missed</h2>
      <div class="missed-filter">
        <label>
          <input type="checkbox" checked={show === 'all'} onChange={(e) => setShow(e.currentTarget.checked ? 'all' : 'open')} /> Show done items too
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
        <p class="empty">Loading…</p>
      ) : items.length === 0 ? (
        <p class="empty">Nothing missed. Messages left while nobody was available, unanswered calls and chat requests appear here.</p>
      ) : (
        <ul class="missed-items" aria-label="Missed contacts">
          {items.map((m) => {
            const reply = replyUrl(m);
            return (
              <li class={`missed-item ${m.state}`} key={m.id}>
                <article aria-label={`${KIND[m.kind]} from ${m.name || m.email || 'a visitor'}`}>
                  <p class="missed-head">
                    <strong>{m.name || 'Visitor'}</strong>
                    {m.email && <span> · {m.email}</span>}
                    <span class="muted">
                      {' '}
                      · {KIND[m.kind]} · {m.widget.name} · {dateTime(m.ts)}
                      {m.state === 'done' ? ' · done' : ''}
                    </span>
                  </p>
                  {m.text && <p class="text">{m.text}</p>}
                  <div class="missed-actions">
                    <button type="button" disabled={!reply} title={reply ? undefined : 'No e-mail address was given'} onClick={() => reply && (window.location.href = reply)}>
                      Reply by e-mail
                    </button>
                    <button type="button" class={m.state === 'done' ? 'quiet' : 'primary'} onClick={() => void done(m)}>
                      {m.state === 'done' ? 'Open again' : 'Mark done'}
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

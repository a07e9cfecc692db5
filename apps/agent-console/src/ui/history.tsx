/** Closed chats: search (GET /api/chats?q=) and the full transcript (GET /api/chats/:id). */
import { useEffect, useState } from 'preact/hooks';
import { getHistory, listHistory, sendTranscript, type HistoryChat, type HistoryDetail } from '../api.js';
import { clock, dateTime } from './format.js';
import { t } from '../i18n.js';

export function History() {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [list, setList] = useState<HistoryChat[] | null>(null);
  const [error, setError] = useState('');
  const [open, setOpen] = useState<HistoryDetail | null>(null);
  const [openError, setOpenError] = useState('');

  useEffect(() => {
    let gone = false;
    setError('');
    listHistory(query)
      .then((l) => !gone && setList(l))
      .catch((e: Error) => !gone && (setError(t('History could not be loaded: {error}', { error: e.message })), setList([])));
    return () => {
      gone = true;
    };
  }, [query]);

  // Search as the agent types (after a short pause); the button and Enter search at once.
  useEffect(() => {
    const t = setTimeout(() => setQuery(q.trim()), 350);
    return () => clearTimeout(t);
  }, [q]);

  const show = async (id: string) => {
    setOpenError('');
    try {
      setOpen(await getHistory(id));
    } catch (e) {
      setOpenError(t('The transcript could not be loaded: {error}', { error: (e as Error).message }));
    }
  };

  return (
    <section class="history" aria-labelledby="history-h">
      <div class="history-list">
        <h2 id="history-h">{t("History")}</h2>
        <form
          role="search"
          class="history-search"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(q.trim());
          }}
        >
          <label for="history-q" class="sr-only">
            {t("Search history")}
          </label>
          <input id="history-q" type="search" placeholder={t("Name, e-mail or text")} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          <button type="submit">{t("Search")}</button>
        </form>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {list === null ? (
          <p class="empty">{t("Loading…")}</p>
        ) : list.length === 0 ? (
          <p class="empty">{query ? t('No closed chats match “{query}”.', { query }) : t("No closed chats yet.")}</p>
        ) : (
          <ul class="history-items" aria-label={t("Closed chats")}>
            {list.map((c) => (
              <li>
                <button type="button" class={`conv ${open?.chat.id === c.id ? 'current' : ''}`} aria-current={open?.chat.id === c.id ? 'true' : undefined} onClick={() => void show(c.id)}>
                  <span class="conv-name">{c.visitorDn || 'Visitor'}</span>
                  <span class="conv-last">
                    {dateTime(c.closedAt ?? c.createdAt)}
                    {c.widgetName ? ` · ${c.widgetName}` : ''}
                  </span>
                  {c.preview && <span class="conv-last">{c.preview}</span>}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div class="transcript">
        {openError && (
          <p class="form-error" role="alert">
            {openError}
          </p>
        )}
        {open ? (
          <article aria-labelledby="transcript-h">
            <h3 id="transcript-h">{t('Transcript: {name}', { name: open.chat.visitorDn || t('Visitor') })}</h3>
            <p class="muted">
              {open.chat.visitorEmail && `${open.chat.visitorEmail} · `}
              {open.chat.widgetName && `${open.chat.widgetName} · `}
              {dateTime(open.chat.createdAt)}
              {open.chat.closedBy && ` · ${t(open.chat.closedBy === 'visitor' ? 'ended by the visitor' : open.chat.closedBy === 'agent' ? 'ended by the agent' : 'closed by the system')}`}
            </p>
            <TranscriptMail chatId={open.chat.id} initial={open.chat.visitorEmail ?? ''} />
            <ol class="lines" aria-label={t("Transcript")}>
              {open.messages.length === 0 && <li class="empty">{t("No messages.")}</li>}
              {open.messages.map((m) => (
                <li class={`line from-${m.from}`}>
                  <div class="bubble">
                    <span class="who">{m.dn}</span>
                    <p class="text">{m.text}</p>
                    <span class="meta">
                      <time dateTime={new Date(m.ts).toISOString()}>{clock(m.ts)}</time>
                    </span>
                  </div>
                </li>
              ))}
            </ol>
          </article>
        ) : (
          <p class="empty">{t("Choose a chat to read its transcript.")}</p>
        )}
      </div>
    </section>
  );
}

/** Sends the transcript by e-mail (to the visitor, or anyone the agent names). */
function TranscriptMail(props: { chatId: string; initial: string }) {
  const [to, setTo] = useState(props.initial);
  const [said, setSaid] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    setTo(props.initial);
    setSaid('');
    setError('');
  }, [props.chatId]);
  return (
    <form
      class="transcript-mail"
      onSubmit={(e) => {
        e.preventDefault();
        setSaid('');
        setError('');
        sendTranscript(props.chatId, to.trim())
          .then(() => setSaid(t('The transcript is on its way to {to}.', { to: to.trim() })))
          .catch((err: Error) => setError(err.message));
      }}
    >
      <label for="transcript-to">{t('Send transcript to')}</label>
      <input id="transcript-to" type="email" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      <button type="submit">{t('Send transcript')}</button>
      <span role="status">{said}</span>
      {error && (
        <span class="form-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

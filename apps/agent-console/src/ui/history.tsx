/**
 * History (issue 15): closed chats (GET /api/chats?q=, the full transcript from GET /api/chats/:id) and
 * calls — answered, missed, declined (GET /api/calls) — in one list, per visitor, with filters; a missed
 * call can be followed up by e-mail or phone.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { msg } from '@cw/client-core';
import type { CallOutcome } from '@cw/protocol';
import { getHistory, listCalls, listHistory, sendTranscript, type HistoryCall, type HistoryChat, type HistoryDetail } from '../api.js';
import { filterHistory, followUp, HISTORY_KINDS, HISTORY_PERIODS, isMissed, mergeHistory, periodStart, sameVisitor, talkTime, type HistoryEntry, type HistoryKind, type HistoryPeriod } from '../state/history.js';
import { clock, dateTime, duration } from './format.js';
import { VisitorContextView } from './visitor-context.js';
import { t } from '../i18n.js';

const KIND_LABEL: Record<HistoryKind, string> = { all: msg('All'), chats: msg('Chats'), calls: msg('Calls'), missed: msg('Missed calls') };
const PERIOD_LABEL: Record<HistoryPeriod, string> = { any: msg('Any time'), today: msg('Today'), '7d': msg('Last 7 days'), '30d': msg('Last 30 days') };
const OUTCOME_LABEL: Record<CallOutcome, string> = {
  answered: msg('Answered'),
  missed: msg('Missed'),
  declined: msg('Declined'),
  busy: msg('Not reached (busy)'),
  unavailable: msg('Not reached (unavailable)'),
  failed: msg('Failed'),
  ringing: msg('Ringing'),
};

export function History() {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState<HistoryKind>('all');
  const [period, setPeriod] = useState<HistoryPeriod>('any');
  const [chats, setChats] = useState<HistoryChat[] | null>(null);
  const [calls, setCalls] = useState<HistoryCall[] | null>(null);
  const [error, setError] = useState('');
  const [open, setOpen] = useState<{ kind: 'chat'; detail: HistoryDetail } | { kind: 'call'; id: string } | null>(null);
  const [openError, setOpenError] = useState('');

  // Chats are searched by the server; a new search forgets the old answer at once (no stale list).
  useEffect(() => {
    let gone = false;
    setChats(null);
    listHistory(query)
      .then((l) => !gone && (setChats(l), setError('')))
      .catch((e: Error) => !gone && (setError(t('History could not be loaded: {error}', { error: e.message })), setChats([])));
    return () => {
      gone = true;
    };
  }, [query]);

  useEffect(() => {
    let gone = false;
    listCalls({ from: periodStart(period, Date.now()) })
      .then((l) => !gone && setCalls(l))
      .catch((e: Error) => !gone && (setError(t('History could not be loaded: {error}', { error: e.message })), setCalls([])));
    return () => {
      gone = true;
    };
  }, [period]);

  // Search as the agent types (after a short pause); the button and Enter search at once.
  useEffect(() => {
    const t = setTimeout(() => setQuery(q.trim()), 350);
    return () => clearTimeout(t);
  }, [q]);

  const all = useMemo(() => mergeHistory(chats ?? [], calls ?? []), [chats, calls]);
  const list = useMemo(() => filterHistory(all, { kind, period, query, now: Date.now() }), [all, kind, period, query]);
  const pending = chats === null || calls === null || q.trim() !== query;

  const showChat = async (id: string) => {
    setOpenError('');
    try {
      setOpen({ kind: 'chat', detail: await getHistory(id) });
    } catch (e) {
      setOpenError(t('The transcript could not be loaded: {error}', { error: (e as Error).message }));
    }
  };
  const show = (e: HistoryEntry) => (e.kind === 'chat' ? void showChat(e.chat.id) : (setOpenError(''), setOpen({ kind: 'call', id: e.call.id })));
  const openId = open ? (open.kind === 'chat' ? `chat:${open.detail.chat.id}` : `call:${open.id}`) : null;
  const openCall = open?.kind === 'call' ? all.find((e): e is Extract<HistoryEntry, { kind: 'call' }> => e.id === `call:${open.id}`) : undefined;

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
        <div class="history-filters">
          <fieldset class="history-kinds">
            <legend class="sr-only">{t('Show')}</legend>
            {HISTORY_KINDS.map((k) => (
              <label class={`chip${kind === k ? ' on' : ''}`}>
                <input type="radio" name="history-kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                {t(KIND_LABEL[k])}
              </label>
            ))}
          </fieldset>
          <label class="history-period">
            <span>{t('Period')}</span>
            <select value={period} onChange={(e) => setPeriod(e.currentTarget.value as HistoryPeriod)}>
              {HISTORY_PERIODS.map((p) => (
                <option value={p}>{t(PERIOD_LABEL[p])}</option>
              ))}
            </select>
          </label>
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <p class="sr-only" role="status">
          {pending ? '' : t('Shown: {count}', { count: String(list.length) })}
        </p>
        {pending ? (
          <p class="empty">{query || q.trim() ? t('Searching…') : t('Loading…')}</p>
        ) : list.length === 0 ? (
          <p class="empty no-match">{query ? t('No chats or calls match “{query}”.', { query }) : all.length === 0 ? t('No chats or calls yet.') : t('Nothing of this kind in this period.')}</p>
        ) : (
          <ul class="history-items" aria-label={t("Chats and calls")}>
            {list.map((e) => (
              <li key={e.id}>
                <button type="button" class={`conv kind-${e.kind}${openId === e.id ? ' current' : ''}${e.kind === 'call' && isMissed(e.call.outcome) ? ' is-missed' : ''}`} aria-current={openId === e.id ? 'true' : undefined} onClick={() => show(e)}>
                  <span class="conv-name">{e.name || t('Visitor')}</span>
                  <span class="conv-kind">{e.kind === 'chat' ? t('Chat') : t(e.call.video ? 'Video call' : 'Voice call')}</span>
                  <span class="conv-last">
                    {e.kind === 'call' && `${t(OUTCOME_LABEL[e.call.outcome])} · `}
                    {dateTime(e.ts)}
                    {e.kind === 'call' && talkTime(e.call) !== null && ` · ${duration(talkTime(e.call)!)}`}
                    {e.widget ? ` · ${e.widget}` : ''}
                  </span>
                  {e.kind === 'chat' && e.chat.preview && <span class="conv-last">{e.chat.preview}</span>}
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
        {open?.kind === 'chat' ? (
          <ChatDetailView detail={open.detail} />
        ) : openCall ? (
          <CallDetail entry={openCall} others={sameVisitor(all, openCall)} onOpen={show} />
        ) : (
          <p class="empty">{t("Choose a chat or call to see it here.")}</p>
        )}
      </div>
    </section>
  );
}

function ChatDetailView({ detail: open }: { detail: HistoryDetail }) {
  return (
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
  );
}

/** One call: outcome, time, duration, widget, who and where from; follow-up links for a call nobody took. */
function CallDetail({ entry, others, onOpen }: { entry: Extract<HistoryEntry, { kind: 'call' }>; others: HistoryEntry[]; onOpen(e: HistoryEntry): void }) {
  const c = entry.call;
  const name = c.visitorDn || t('Visitor');
  const talk = talkTime(c);
  const links = followUp(c, { subject: t('Your call to {widget}', { widget: c.widgetName ?? '' }), body: t('Hello {name},', { name: c.visitorDn }) });
  const missed = isMissed(c.outcome);
  return (
    <article aria-labelledby="call-h" class="call-detail">
      <h3 id="call-h">{t(c.video ? 'Video call with {name}' : 'Voice call with {name}', { name })}</h3>
      <dl class="visitor-context">
        <dt>{t('Outcome')}</dt>
        <dd>{t(OUTCOME_LABEL[c.outcome])}</dd>
        <dt>{t('Started')}</dt>
        <dd>{dateTime(c.startedAt)}</dd>
        {talk !== null && (
          <>
            <dt>{t('Duration')}</dt>
            <dd>{duration(talk)}</dd>
          </>
        )}
        {c.widgetName && (
          <>
            <dt>{t('Widget')}</dt>
            <dd>{c.widgetName}</dd>
          </>
        )}
        {c.visitorEmail && (
          <>
            <dt>{t('E-mail')}</dt>
            <dd>{c.visitorEmail}</dd>
          </>
        )}
      </dl>
      <VisitorContextView visitor={c.visitor} />
      {(links.mail || links.tel || missed) && (
        <div class="missed-actions">
          {links.mail && (
            <a class="button primary" href={links.mail}>
              {t('Reply by e-mail')}
            </a>
          )}
          {links.tel && (
            <a class="button" href={links.tel}>
              {t('Call back')}
            </a>
          )}
          {!links.mail && !links.tel && <p class="muted">{t('No e-mail address or phone number is known for this visitor.')}</p>}
        </div>
      )}
      {others.length > 0 && (
        <>
          <h4>{t('Other contacts with {name}', { name })}</h4>
          <ul class="history-items" aria-label={t('Other contacts with {name}', { name })}>
            {others.map((o) => (
              <li key={o.id}>
                <button type="button" class="conv" onClick={() => onOpen(o)}>
                  <span class="conv-name">{o.kind === 'chat' ? t('Chat') : `${t(o.call.video ? 'Video call' : 'Voice call')} · ${t(OUTCOME_LABEL[o.call.outcome])}`}</span>
                  <span class="conv-last">{dateTime(o.ts)}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
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

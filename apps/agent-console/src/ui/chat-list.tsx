/** Left column: chat requests ("Accept chat") and open conversations with unread counts. */
import { VisitorContextView } from './visitor-context.js';
import { useState } from 'preact/hooks';
import { useNow } from './use-store.js';
import type { ConsoleStore } from '../state/store.js';
import type { ConsoleState } from '../state/types.js';
import { t } from '../i18n.js';

/** "waiting 2 min" under a request, so the oldest is easy to spot. */
function Waiting(props: { since: number }) {
  const now = useNow(15_000);
  const min = Math.floor((now - props.since) / 60_000);
  return <span class="muted">{min < 1 ? t('just now') : t('waiting {count} min', { count: min })}</span>;
}

/** Requests shown before "Show all": a flood of requests must not bury the conversations below. */
export const OFFERS_SHOWN = 5;

export function ChatList(props: { store: ConsoleStore; state: ConsoleState; onOpen(id: string): void }) {
  const { store, state: s } = props;
  const [allOffers, setAllOffers] = useState(false);
  const hidden = allOffers ? 0 : Math.max(0, s.offers.length - OFFERS_SHOWN);
  const offers = hidden ? s.offers.slice(0, OFFERS_SHOWN) : s.offers;
  return (
    <aside class="sidebar" aria-label={t("Chats")}>
      <section aria-labelledby="requests-h">
        <h2 id="requests-h" class="side-h">
          {t("Requests")} {s.offers.length > 0 && <span class="count">{s.offers.length}</span>}
        </h2>
        {s.offers.length === 0 ? (
          <p class="empty">{t("No chat requests.")}</p>
        ) : (
          <ul class="offers">
            {offers.map((o) => (
              <li class="offer" aria-labelledby={`offer-${o.id}`}>
                <div id={`offer-${o.id}`} class="offer-who">
                  <strong>{o.from.dn}</strong>
                  {o.from.email && <span class="muted email">{o.from.email}</span>}
                  {o.widget?.name && <span class="muted">{t('via {widget}', { widget: o.widget.name })}</span>}
                  <Waiting since={o.since} />
                  <VisitorContextView visitor={o.visitor} compact />
                  {o.earlier?.length ? (
                    <p class="earlier">
                      {t('Earlier in this visit:')}{' '}
                      {o.earlier.map((e, i) => (
                        <span key={e.chat}>
                          {i ? ', ' : ''}
                          <time dateTime={new Date(e.ts).toISOString()}>{new Date(e.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</time>{' '}
                          {e.answered ? t('chat with {name}', { name: e.agentDn ?? t('an agent') }) : t('chat not answered')}
                        </span>
                      ))}
                    </p>
                  ) : null}
                  {o.messages?.length ? (
                    <blockquote class="offer-first" aria-label={t('What {name} wrote', { name: o.from.dn })}>
                      {o.messages.slice(-3).map((x) => (
                        <p key={x.id}>{x.text}</p>
                      ))}
                    </blockquote>
                  ) : null}
                </div>
                <button type="button" class="primary" disabled={o.accepting || s.link !== 'online'} onClick={() => store.chats.accept(o.id)}>
                  {t("Accept chat")}
                </button>
              </li>
            ))}
          </ul>
        )}
        {(hidden > 0 || (allOffers && s.offers.length > OFFERS_SHOWN)) && (
          <button type="button" class="link more-offers" aria-expanded={allOffers} onClick={() => setAllOffers(!allOffers)}>
            {allOffers ? t("Show fewer requests") : t('Show all requests ({count} more)', { count: hidden })}
          </button>
        )}
      </section>
      <section aria-labelledby="convs-h">
        <h2 id="convs-h" class="side-h">
          {t("Conversations")}
        </h2>
        {s.chats.length === 0 ? (
          <p class="empty">{t("No open conversations.")}</p>
        ) : (
          <ul class="convs">
            {s.chats.map((c) => {
              const last = c.lines[c.lines.length - 1];
              const current = s.activeChat === c.id;
              return (
                <li>
                  <button type="button" class={`conv ${current ? 'current' : ''} ${c.phase}`} aria-current={current ? 'true' : undefined} onClick={() => props.onOpen(c.id)}>
                    <span class="conv-name">
                      {c.visitor.dn}
                      {c.phase === 'closed' && <span class="tag"> {t("ended")}</span>}
                    </span>
                    {c.unread > 0 && (
                      <span class="badge">
                        {c.unread}
                        <span class="sr-only"> {t("unread")}</span>
                      </span>
                    )}
                    {/* The open chat's transcript is beside the list: its last line is not repeated here, so a message's text is on the page once. */}
                    <span class="conv-last">{current ? '\u00a0' : c.visitorTyping ? t('typing…') : (last?.text ?? t("No messages yet"))}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </aside>
  );
}

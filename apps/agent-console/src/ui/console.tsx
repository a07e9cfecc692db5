/** The signed-in console: header, chat column, calls and the current conversation or History. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { dismissNotificationPrompt, requestNotifications, shouldOfferNotifications } from '../notify.js';
import type { ConsoleStore } from '../state/store.js';
import { CallPanel } from './call-panel.js';
import { ChatList } from './chat-list.js';
import { ChatView } from './chat-view.js';
import { Header } from './header.js';
import { History } from './history.js';
import { MissedView } from './missed.js';
import { LiveRegions, Notices } from './notices.js';
import { Ringing } from './ringing.js';
import { useStoreState } from './use-store.js';
import { t } from '../i18n.js';
import { msg } from '@cw/client-core';
import type { Presence } from '@cw/protocol';
import type { ConsoleState } from '../state/types.js';

function NotifyPrompt() {
  const [show, setShow] = useState(shouldOfferNotifications());
  if (!show) return null;
  return (
    <div class="notify-prompt" role="region" aria-label={t("Notifications")}>
      <span>{t("Get a desktop notification for calls and chats while this tab is in the background?")}</span>
      <button
        type="button"
        class="primary"
        onClick={() => {
          // The browser's own dialog takes over from here; ours is done either way.
          setShow(false);
          void requestNotifications().catch(() => {});
        }}
      >
        {t("Turn on notifications")}
      </button>
      <button
        type="button"
        class="quiet"
        onClick={() => {
          dismissNotificationPrompt();
          setShow(false);
        }}
      >
        {t('Dismiss')}
      </button>
    </div>
  );
}

const NOT_ONLINE: Record<Exclude<Presence, 'online'>, string> = {
  away: msg('You are away'),
  busy: msg('You are busy'),
  offline: msg('You are offline'),
};

/** The Conversations view with nothing going on: says what the agent's status means and how to change it (issue 15). */
export function EmptyState(props: { store: ConsoleStore; state: ConsoleState }) {
  const { state: s } = props;
  if (s.link !== 'online' || s.presence === null) {
    return (
      <div class="idle" data-state="connecting">
        <h2>{t('Not connected')}</h2>
        <p class="muted">{t('Chat requests and calls will appear here once the connection to the server is back.')}</p>
      </div>
    );
  }
  if (s.presence === 'online' && s.offers.length > 0) {
    // Requests wait in the list beside: say so here rather than "will appear here".
    return (
      <div class="idle" data-state="waiting">
        <h2>{t('Chat requests waiting: {count}', { count: s.offers.length })}</h2>
        <p class="muted">{t('Choose Accept chat under Requests to start talking.')}</p>
      </div>
    );
  }
  if (s.presence === 'online') {
    return (
      <div class="idle" data-state="online">
        <h2>{t('You are online')}</h2>
        <p class="muted">{t('Chat requests and calls will appear here.')}</p>
      </div>
    );
  }
  return (
    <div class="idle" data-state={s.presence}>
      <h2>{t(NOT_ONLINE[s.presence])}</h2>
      <p class="muted">{t('Set your presence to Online to receive chats and calls.')}</p>
      <button type="button" class="primary" onClick={() => props.store.setPresence('online')}>
        {t('Go online')}
      </button>
    </div>
  );
}

export function Console(props: { store: ConsoleStore; onSignOut(): void }) {
  const { store } = props;
  const s = useStoreState(store);
  const [view, setView] = useState<'work' | 'history' | 'missed'>('work');

  // Unread counts clear when the agent looks at the open chat again.
  useEffect(() => {
    const onVis = () => {
      if (document.visibilityState === 'visible' && store.state.activeChat) store.chats.markRead(store.state.activeChat);
    };
    document.addEventListener('visibilitychange', onVis);
    return () => document.removeEventListener('visibilitychange', onVis);
  }, [store]);

  // The tab title counts what waits for the agent, so it shows in a background tab.
  const waiting = s.ringing.length + s.offers.length + s.chats.reduce((n, c) => n + c.unread, 0);
  useEffect(() => {
    document.title = `${s.ringing.length ? `${t('Ringing')} · ` : ''}${waiting ? `(${waiting}) ` : ''}${t('Agent console')} · Contact Widgets`;
  }, [waiting, s.ringing.length]);

  // When a call ends, its buttons vanish; keep keyboard focus somewhere useful.
  const inCall = !!s.call;
  const wasInCall = useRef(false);
  useEffect(() => {
    const a = document.activeElement;
    if (wasInCall.current && !inCall && (!a || a === document.body)) document.getElementById('composer-input')?.focus();
    wasInCall.current = inCall;
  }, [inCall]);

  // Any control that vanishes while focused (an accepted chat request, an answered or ended call)
  // must not drop keyboard focus to the page: it continues in the open chat's field, else in the main area.
  useEffect(() => {
    let last: HTMLElement | null = null;
    const onIn = (e: FocusEvent) => {
      last = e.target instanceof HTMLElement ? e.target : null;
    };
    const refocus = () => {
      const a = document.activeElement;
      if (!last || last.isConnected || (a && a !== document.body)) return;
      last = null;
      const next = document.getElementById('composer-input') ?? document.querySelector<HTMLElement>('.ringing-list button') ?? document.querySelector<HTMLElement>('main');
      if (next?.tagName === 'MAIN' && !next.hasAttribute('tabindex')) next.setAttribute('tabindex', '-1');
      next?.focus();
    };
    const obs = new MutationObserver(refocus);
    obs.observe(document.body, { childList: true, subtree: true });
    document.addEventListener('focusin', onIn);
    return () => {
      obs.disconnect();
      document.removeEventListener('focusin', onIn);
    };
  }, []);

  const active = s.chats.find((c) => c.id === s.activeChat) ?? null;
  return (
    <div class="shell">
      <Header store={store} state={s} view={view} onView={setView} onSignOut={props.onSignOut} />
      <LiveRegions />
      {s.link === 'refused' && (
        <div class="banner error" role="alert">
          {s.linkText}
        </div>
      )}
      {s.link === 'reconnecting' && (
        <div class="banner warning" role="status">
          {t("Connection to the server lost. Reconnecting by itself — your chats are kept.")}
        </div>
      )}
      <NotifyPrompt />
      <div class="body">
        <ChatList
          store={store}
          state={s}
          onOpen={(id) => {
            setView('work');
            store.chats.open(id);
          }}
        />
        <main class="main">
          <Notices store={store} notices={s.notices} />
          <Ringing store={store} ringing={s.ringing} canAccept={!s.call && s.link === 'online'} soundBlocked={s.ringing.length > 0 && store.ringtone.blocked} />
          {s.call && <CallPanel store={store} call={s.call} />}
          {view === 'missed' ? (
            <MissedView store={store} />
          ) : view === 'history' ? (
            <History />
          ) : active ? (
            <ChatView store={store} chat={active} online={s.link === 'online'} />
          ) : (
            !s.call && s.ringing.length === 0 && <EmptyState store={store} state={s} />
          )}
        </main>
      </div>
    </div>
  );
}

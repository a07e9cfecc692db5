/** The whole widget UI for one Model: a sidebar (tab + panel) or inline business cards. */
import type { JSX } from 'preact';
import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { cssVars } from '../appearance.js';
import { availableFirst, findAgents, LIST_CAP, nobodyReachable, SEARCH_FROM, visibleAgents, type Model } from '../model.js';
import type { Action, NextSteps, PeerView } from '../view.js';
import { mailUrl, makeT, telUrl, type T } from '../text.js';
import { AgentCard } from './agent-card.js';
import { Icon } from './icons.js';

let seq = 0;

/** "Monday 8:00 AM" in the visitor's language and time format; with the date when it is more than six days away. */
function whenText(ts: number, lang: string): string {
  // The browser's own locale (with its region's clock) when it speaks the widget's language.
  const nav = typeof navigator !== 'undefined' ? navigator.language : '';
  const locale = nav && nav.toLowerCase().split('-')[0] === lang ? nav : lang;
  const far = ts - Date.now() > 6 * 86_400_000;
  return new Intl.DateTimeFormat(locale, { weekday: 'long', hour: 'numeric', minute: '2-digit', ...(far ? { day: 'numeric', month: 'long' } : {}) }).format(ts);
}

function useModel(model: Model): Model['state'] {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => model.subscribe(() => bump(0)), [model]);
  return model.state;
}

function Contact({ t, c }: { t: T; c: NonNullable<Model['state']['session']>['contact'] }): JSX.Element | null {
  if (!c || !(c.company || c.address || c.phone || c.email)) return null;
  const tel = telUrl(c.phone);
  const mail = mailUrl(c.email);
  return (
    <address class="contact">
      {c.company ? <strong>{c.company}</strong> : null}
      {c.address ? <span>{c.address}</span> : null}
      {c.phone ? (
        <span>
          {t('phone')}: <bdi dir="ltr">{tel ? <a href={tel}>{c.phone}</a> : c.phone}</bdi>
        </span>
      ) : null}
      {c.email ? (
        <span>
          {t('email')}: <bdi dir="ltr">{mail ? <a href={mail}>{c.email}</a> : c.email}</bdi>
        </span>
      ) : null}
    </address>
  );
}

/** Renders the widget for a model (live controller or admin preview). */
export function App({ model }: { model: Model }): JSX.Element | null {
  const s = useModel(model);
  const [idBase] = useState(() => `cw${++seq}`);
  const [entered, setEntered] = useState(false);
  // Issue 15: the search among many agents, and whether the visitor asked for every card.
  const [query, setQuery] = useState('');
  const [all, setAll] = useState(false);
  const tab = useRef<HTMLButtonElement>(null);
  const rootEl = useRef<HTMLDivElement>(null);
  // The agent of the last conversation screen: when the visitor comes back to the list, focus returns to that agent's card.
  const lastAgent = useRef<string | null>(null);
  // …and the action it was started with, so focus goes back to that very button.
  const lastAction = useRef<string | null>(null);
  const kind = s.screen.kind;
  useEffect(() => {
    const screen = model.state.screen;
    if (screen.kind === 'prompt') [lastAgent.current, lastAction.current] = [screen.agent, screen.action];
    else if (screen.kind === 'chat') [lastAgent.current, lastAction.current] = [model.state.chat?.agent ?? lastAgent.current, 'chat'];
    else if (screen.kind === 'call') [lastAgent.current, lastAction.current] = [model.state.call?.agent ?? lastAgent.current, lastAction.current ?? (model.state.call?.video ? 'video' : 'voice')];
    else if (lastAgent.current) {
      const card = `[data-agent="${CSS.escape(lastAgent.current)}"]`;
      const btn =
        rootEl.current?.querySelector<HTMLElement>(`${card} .act[data-action="${lastAction.current ?? ''}"]`) ?? rootEl.current?.querySelector<HTMLElement>(`${card} .act`);
      (btn ?? tab.current)?.focus();
      lastAgent.current = null;
      lastAction.current = null;
    }
  }, [kind]);
  useEffect(() => {
    // Slide in on the next frame (a CSS transition from off-screen).
    const r = requestAnimationFrame(() => setEntered(true));
    return () => cancelAnimationFrame(r);
  }, []);
  // An agent who was reachable and goes offline is announced once (politely), whatever screen is open.
  const presence = useRef<Record<string, string>>({});
  const [gone, setGone] = useState('');
  useEffect(() => {
    const before = presence.current;
    const now: Record<string, string> = {};
    let went = '';
    for (const x of s.agents) {
      now[x.id] = x.presence;
      if (x.presence === 'offline' && before[x.id] && before[x.id] !== 'offline') went = x.dn;
    }
    presence.current = now;
    if (went) setGone(went);
  }, [s.agents]);
  useEffect(() => {
    // Emptied after a while, so that the next agent (or the same one again) is announced anew.
    if (!gone) return;
    const i = setTimeout(() => setGone(''), 8000);
    return () => clearTimeout(i);
  }, [gone]);
  // The pictures of the cards on screen (asked for once per Session by the controller; 20 of 1,000, not all).
  const shown = useRef<string[]>([]);
  useEffect(() => model.actions.showing(shown.current));
  if (s.conn === 'hidden' || !s.session) return null;
  const session = s.session;
  const t = makeT(session.strings, session.lang);
  const a = model.actions;
  const announce = (
    <span class="sr" role="status">
      {gone ? t('agentWentOffline', gone) : ''}
    </span>
  );
  const type = session.type === 'cards' ? 'cards' : 'sidebar';
  const vars = cssVars(session.appearance, type);
  const inert = s.preview;
  // Spec 14: the admin's heading, else the default in the visitor's language (never the widget's internal name).
  const title = session.texts?.title || t('contactUs');

  /** The agent as the header of a chat or call shows them. */
  const peerOf = (id: string): PeerView | undefined => {
    const ag = s.agents.find((x) => x.id === id);
    if (!ag) return undefined;
    return { picture: s.pictures[id], presence: ag.presence, stateText: ag.presence === 'online' ? t('online') : ag.presence === 'busy' ? t('busy') : t('offline') };
  };
  /** No dead ends: chat with the same agent instead of a call, or the same with another available agent. */
  const nextFor = (id: string, kind: Action): NextSteps => {
    const out: NextSteps = {};
    const ag = s.agents.find((x) => x.id === id);
    if (ag && kind !== 'chat' && ag.presence === 'online' && ag.media.includes('chat')) out.chatInstead = () => a.choose(id, 'chat');
    const other = s.agents.find((x) => x.id !== id && x.presence === 'online' && (x.media.includes(kind) || (kind === 'voice' && x.media.includes('video'))));
    if (other) out.other = { dn: other.dn, go: () => a.choose(other.id, kind) };
    // The last step: the widget's offline form (spec 11), when it takes messages.
    if (session.offline) out.leave = () => a.openOffline();
    return out;
  };

  let body: JSX.Element;
  const C = s.conv;
  if (s.screen.kind !== 'list' && !C) {
    // The chat/call code is still loading (a moment, once per page).
    body = (
      <div class="conv">
        <p class="status" role="status">
          {s.convFailed ? t('causeError') : t('loading')}
        </p>
        <div class="bar">
          <button type="button" class="btn alt" onClick={() => a.back()}>
            {t('back')}
          </button>
        </div>
      </div>
    );
  } else if (C && s.screen.kind === 'prompt') {
    const screen = s.screen;
    body = <C.NamePrompt t={t} actions={a} agentDn={s.agents.find((x) => x.id === screen.agent)?.dn ?? screen.agent} action={screen.action} initial={s.visitor} idBase={idBase} />;
  } else if (C && s.screen.kind === 'offline') {
    body = <C.OfflineForm t={t} actions={a} consentText={session.offline?.consentText ?? ''} initial={s.visitor} offline={s.offline} idBase={idBase} />;
  } else if (C && s.screen.kind === 'chat' && s.chat) {
    const chat = s.chat;
    const ended = chat.state === 'closed' && !!chat.id;
    body = (
      <>
        <C.ChatPanel t={t} actions={a} chat={chat} idBase={idBase} reconnecting={s.conn === 'reconnecting'} peer={peerOf(chat.agent)} next={nextFor(chat.agent, 'chat')} />
        {ended ? <C.TranscriptOffer t={t} actions={a} email={s.visitor.email} sent={s.transcript && s.transcript.chat === chat.id ? s.transcript.email : null} idBase={idBase} /> : null}
      </>
    );
  } else if (C && s.screen.kind === 'call' && s.call) {
    body = <C.CallPanel t={t} actions={a} call={s.call} idBase={idBase} peer={peerOf(s.call.agent)} next={nextFor(s.call.agent, s.call.video ? 'video' : 'voice')} />;
  } else {
    // Many agents (issue 15): a search over everyone by name and department, the available first, at most
    // LIST_CAP cards until "Show all" (a sidebar of 1,000 agents never renders 1,000 cards at once).
    const many = s.agents.length >= SEARCH_FROM;
    const q = many ? query.trim() : '';
    const found = q ? findAgents(s.agents, q) : many ? availableFirst(visibleAgents(s)) : visibleAgents(s);
    const list = many && !all ? found.slice(0, LIST_CAP) : found;
    const cards = type === 'cards';
    shown.current = list.map((x) => x.id);
    body = (
      <div>
        {type === 'sidebar' ? (
          <h2 id={`${idBase}-title`}>
            <bdi>{title}</bdi>
          </h2>
        ) : null}
        {type === 'sidebar' ? <p class="greeting">{session.texts?.greeting || t('greeting')}</p> : null}
        {s.conn === 'reconnecting' ? <p class="banner">{t('reconnecting')}</p> : null}
        {s.session.open === false ? (
          <p class="banner closed" role="status">
            {t('closedNow')}
            {s.session.nextOpen ? ` ${t('backAt', whenText(s.session.nextOpen, session.lang))}` : ''}
          </p>
        ) : null}
        {session.offline && nobodyReachable(s) ? (
          <div class="offline">
            <button type="button" class="btn" disabled={inert} onClick={() => a.openOffline()}>
              {t('leaveMessage')}
            </button>
          </div>
        ) : null}
        {many ? (
          <div class="search" role="search">
            <label class="sr" for={`${idBase}-q`}>
              {t('searchAgents')}
            </label>
            <input
              id={`${idBase}-q`}
              type="search"
              autocomplete="off"
              maxLength={100}
              placeholder={t('searchAgents')}
              value={query}
              onInput={(e) => {
                setQuery((e.target as HTMLInputElement).value);
                setAll(false);
              }}
            />
            <p class="hint" role="status">
              {q ? (found.length ? t('matchCount', { count: found.length }) : t('noMatch', q)) : ''}
            </p>
          </div>
        ) : null}
        {list.length ? (
          <ul class="list" aria-label={cards ? title : undefined}>
            {list.map((agent, i) => (
              // Business cards carry an address: the agent's own, else the widget's; a sidebar card only an agent's own.
              <AgentCard key={agent.id} agent={agent} picture={s.pictures[agent.id]} t={t} actions={a} idBase={`${idBase}-a${i}`} inert={inert} address={agent.address || (cards ? session.contact?.address : '')} />
            ))}
          </ul>
        ) : q ? null : (
          <p>{s.agents.length ? t('noneAvailable') : t('noAgents')}</p>
        )}
        {list.length < found.length ? (
          <button
            type="button"
            class="btn alt more"
            onClick={() => {
              setAll(true);
              // Focus goes on to the first card that was not shown before (the button itself goes away).
              requestAnimationFrame(() => rootEl.current?.querySelector<HTMLElement>(`.list > li:nth-child(${LIST_CAP + 1}) .act`)?.focus());
            }}
          >
            {t('showAll', { count: found.length })}
          </button>
        ) : null}
        {/* Cards with agents show the address on each card; the rest of the contact details once, below. */}
        <Contact t={t} c={cards && list.length && session.contact ? { ...session.contact, address: '' } : session.contact} />
        {/* Last in the tab order (Tab from the launcher goes to the agents first); shown at the top right by CSS. */}
        {type === 'sidebar' ? (
          <button
            type="button"
            class="close"
            aria-label={t('closePanel')}
            title={t('closePanel')}
            onClick={() => {
              a.setExpanded(false);
              tab.current?.focus();
            }}
          >
            <Icon name="close" />
          </button>
        ) : null}
      </div>
    );
  }

  const rootCls = `root ${type}${s.preview ? ' preview' : ''}`;
  if (type === 'cards') {
    return (
      <div class={rootCls} style={vars} lang={session.lang} dir={t.dir} ref={rootEl} onPointerEnter={() => a.prefetch()} onFocusIn={() => a.prefetch()}>
        {body}
        {announce}
      </div>
    );
  }
  const side = session.appearance?.position === 'left' ? 'left' : 'right';
  const open = s.expanded;
  return (
    <div class={rootCls} style={vars} lang={session.lang} dir={t.dir} ref={rootEl}>
      <div
        class={`side ${side}${entered ? '' : ' enter'}`}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && open && s.screen.kind === 'list') {
            // Escape in a filled search field empties it; the next one closes the panel.
            if (query && (e.target as HTMLInputElement).type === 'search') return setQuery('');
            a.setExpanded(false);
            tab.current?.focus();
          }
        }}
      >
        <button
          ref={tab}
          type="button"
          class="tab"
          aria-expanded={open ? 'true' : 'false'}
          aria-controls={open ? `${idBase}-panel` : undefined}
          aria-describedby={s.unread ? `${idBase}-unread` : undefined}
          onClick={() => a.setExpanded(!open)}
        >
          <Icon name="people" />
          {t('contactUs')}
          {s.unread ? (
            <span class="badge" aria-hidden="true">
              {t.num(s.unread)}
            </span>
          ) : null}
        </button>
        {/* Describes the tab, and announces new messages while the chat is out of sight. */}
        <span class="sr" role="status" id={`${idBase}-unread`}>
          {s.unread ? t('unreadCount', { count: s.unread }) : ''}
        </span>
        {/* After the tab in the DOM (Tab goes from the tab into the panel); shown above it by CSS. */}
        {/* During a call the panel stays mounted (only hidden) so the call's audio keeps playing. */}
        {open || (s.screen.kind === 'call' && s.call && s.call.phase !== 'ended') ? (
          <div class={`panel${s.screen.kind === 'chat' || s.screen.kind === 'call' ? ' full' : ''}`} id={`${idBase}-panel`} role="region" aria-label={title} hidden={!open}>
            {body}
          </div>
        ) : null}
        {announce}
      </div>
    </div>
  );
}

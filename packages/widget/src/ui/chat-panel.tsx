/** The chat: messages with times and delivery state, typing indicator, composer, End chat. Text is rendered as text nodes only. */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Actions, ChatView, NextSteps, PeerView } from '../view.js';
import { NextStepBar, PeerHead } from './peer.js';
import { clock, type T } from '../text.js';

interface Props {
  t: T;
  actions: Actions;
  chat: ChatView;
  idBase: string;
  reconnecting: boolean;
  peer?: PeerView;
  next?: NextSteps;
}

function statusText(t: T, c: ChatView): string {
  switch (c.state) {
    case 'starting':
    case 'waiting':
      // Says what happens next (issue 15), not only that we wait.
      return `${t('chatWaiting', c.agentDn)} ${t('waitingNext', c.agentDn)}`;
    case 'accepted':
      return t('chatAccepted', c.agentDn);
    case 'closed':
      return c.by === 'agent' ? t('chatClosedAgent', c.agentDn) : c.by === 'system' ? t('chatClosedSystem') : t('chatClosedVisitor');
    case 'lost':
      return t('chatLost');
  }
}

export function ChatPanel({ t, actions, chat, idBase, reconnecting, peer, next }: Props): JSX.Element {
  const log = useRef<HTMLDivElement>(null);
  const field = useRef<HTMLTextAreaElement>(null);
  const done = chat.state === 'closed' || chat.state === 'lost';
  const closeBtn = useRef<HTMLButtonElement>(null);
  const keepBtn = useRef<HTMLButtonElement>(null);
  // Ending asks once (issue 15) when there is something to lose: the agent joined or something was written.
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    if (asking) keepBtn.current?.focus();
  }, [asking]);
  const keep = () => {
    setAsking(false);
    field.current?.focus();
  };
  useEffect(() => {
    if (done) setAsking(false);
    // Open: typing goes to the field. Ended: "End chat" is gone, so focus moves to "Close" instead of the page.
    if (!done) field.current?.focus();
    else closeBtn.current?.focus();
  }, [done]);
  useEffect(() => {
    const element = log.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [chat.lines.length, chat.peerTyping]);
  const send = () => {
    const text = chat.draft;
    if (!text.trim()) return;
    actions.sendChat(text);
    field.current?.focus();
  };
  return (
    <section class="conv" aria-labelledby={`${idBase}-ctitle`}>
      <PeerHead peer={peer} name={chat.agentDn}>
        <h2 id={`${idBase}-ctitle`}>{t('chatTitle', chat.agentDn)}</h2>
      </PeerHead>
      <p class="status" role="status">
        {statusText(t, chat)}
      </p>
      {reconnecting ? <p class="banner">{t('reconnecting')}</p> : null}
      {/* Named by title, not aria-label: getByLabel('Message') (substring match) must find only the field below. */}
      {/* Only new messages are announced (additions), not a message turning from "Sending…" to "Sent". */}
      <div class="log" ref={log} role="log" aria-live="polite" aria-relevant="additions" title={t('messages')} tabIndex={0}>
        {chat.lines.map((l) => (
          <div key={l.key} class={`msg ${l.from}`}>
            <span class="sr">{l.from === 'visitor' ? t('you') : <bdi>{l.dn}</bdi>}: </span>
            {/* The text's own direction (a Hebrew message in an English widget, and the other way round). */}
            <bdi>{l.text}</bdi>
            <span class="meta">
              <time dateTime={new Date(l.ts).toISOString()}>{clock(l.ts, t.lang)}</time>
              {l.from === 'visitor' ? ` · ${l.delivery === 'sending' ? t('sending') : t('sent')}` : ''}
            </span>
          </div>
        ))}
      </div>
      <p class="status" aria-live="polite">
        {chat.peerTyping ? t('typing', chat.agentDn) : ''}
      </p>
      {done && chat.state === 'closed' && chat.by === 'system' ? <NextStepBar t={t} next={{ other: next?.other, leave: next?.leave }} /> : null}
      {done ? (
        <div class="bar">
          <button type="button" class="btn" ref={closeBtn} onClick={() => actions.back()}>
            {t('close')}
          </button>
        </div>
      ) : (
        <>
          <div class="compose">
            <label class="sr" for={`${idBase}-msg`}>
              {t('message')}
            </label>
            <textarea
              ref={field}
              id={`${idBase}-msg`}
              rows={2}
              maxLength={4000}
              value={chat.draft}
              onInput={(e) => actions.setDraft((e.target as HTMLTextAreaElement).value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                  e.preventDefault();
                  send();
                }
              }}
            />
            <button type="button" class="btn" onClick={send}>
              {t('send')}
            </button>
          </div>
          <div class="bar">
            <button type="button" class="btn alt" onClick={() => actions.back()}>
              {t('back')}
            </button>
            {/* While the question is shown, its own End chat is the only one. */}
            {asking ? null : (
              <button type="button" class="btn danger" onClick={() => (chat.state === 'accepted' || chat.lines.length ? setAsking(true) : actions.endChat())}>
                {t('endChat')}
              </button>
            )}
          </div>
          {asking ? (
            <div
              class="ask"
              role="alertdialog"
              aria-modal="false"
              aria-labelledby={`${idBase}-ask`}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.stopPropagation();
                  keep();
                }
              }}
            >
              <p id={`${idBase}-ask`}>{t('endChatAsk', chat.agentDn)}</p>
              <div class="bar">
                <button type="button" class="btn alt" ref={keepBtn} onClick={keep}>
                  {t('keepChatting')}
                </button>
                <button type="button" class="btn danger" onClick={() => actions.endChat()}>
                  {t('endChat')}
                </button>
              </div>
            </div>
          ) : null}
        </>
      )}
    </section>
  );
}

/** One conversation: transcript, typing indicator, Message + Send, End chat. Text is never HTML. */
import { VisitorContextView } from './visitor-context.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { TranscriptLine } from '@cw/client-core';
import type { Chat } from '../state/chats.js';
import type { ConsoleStore } from '../state/store.js';
import { clock } from './format.js';
import { t } from '../i18n.js';

function Line(props: { line: TranscriptLine }) {
  const l = props.line;
  return (
    <div class={`line from-${l.from}`} data-id={l.id}>
      <div class="bubble">
        <span class="who">{l.dn}</span>
        {/* Text nodes only: Preact escapes it, so chat text can never become markup. */}
        <p class="text">{l.text}</p>
        <span class="meta">
          <time dateTime={new Date(l.ts).toISOString()}>{clock(l.ts)}</time>
          {l.delivery && <span class={`delivery ${l.delivery}`}>{l.delivery === 'sending' ? ' · sending…' : ' · sent'}</span>}
        </span>
      </div>
    </div>
  );
}

export function ChatView(props: { store: ConsoleStore; chat: Chat; online: boolean }) {
  const { store, chat } = props;
  const [draft, setDraft] = useState('');
  const listRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const drafts = useRef(new Map<string, string>());

  // Keep a draft per chat when the agent switches between conversations.
  useEffect(() => {
    setDraft(drafts.current.get(chat.id) ?? '');
    // When the clicked control went away (e.g. "Accept chat"), continue in the new chat's field.
    const a = document.activeElement;
    if (!a || a === document.body) inputRef.current?.focus();
  }, [chat.id]);

  useEffect(() => {
    const element = listRef.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [chat.lines.length, chat.id, chat.visitorTyping]);

  const send = (e?: Event) => {
    e?.preventDefault();
    if (!draft.trim()) return;
    if (store.chats.send(chat.id, draft)) {
      setDraft('');
      drafts.current.set(chat.id, '');
      inputRef.current?.focus();
    }
  };

  const open = chat.phase === 'open';
  const closedText = chat.closedBy === 'visitor' ? t('{name} ended the chat.', { name: chat.visitor.dn }) : chat.closedBy === 'agent' ? t("You ended the chat.") : t("The chat was closed.");
  return (
    <section class="chat" aria-labelledby="chat-h">
      <div class="chat-head">
        <div>
          <h2 id="chat-h">{chat.visitor.dn}</h2>
          <p class="muted">
            {chat.visitor.email && <span class="email">{chat.visitor.email}</span>}
            {chat.visitor.email && chat.widget?.name ? ' · ' : ''}
            {chat.widget?.name && <span>{t('via {widget}', { widget: chat.widget.name })}</span>}
          </p>
          <VisitorContextView visitor={chat.context} compact />
        </div>
        {open ? (
          <button type="button" class="quiet danger" onClick={() => store.chats.end(chat.id)}>
            {t("End chat")}
          </button>
        ) : (
          <button type="button" class="quiet" onClick={() => store.chats.dismiss(chat.id)}>
            {t("Close")}
          </button>
        )}
      </div>
      <div class="lines" ref={listRef} role="log" aria-live="polite" aria-label={t('Conversation with {name}', { name: chat.visitor.dn })} tabIndex={0}>
        {chat.lines.length === 0 && <p class="empty">{t("No messages yet. Say hello!")}</p>}
        {chat.lines.map((l) => (
          <Line key={l.key} line={l} />
        ))}
      </div>
      <p class="typing" aria-live="polite">
        {chat.visitorTyping ? t('{name} is typing…', { name: chat.visitor.dn }) : ''}
      </p>
      {open ? (
        <form class="composer" onSubmit={send}>
          <label for="composer-input" class="sr-only">
            {t("Message")}
          </label>
          <textarea
            id="composer-input"
            ref={inputRef}
            rows={2}
            maxLength={4000}
            placeholder={props.online ? t("Write a message…") : t("Offline — messages are sent when the connection is back")}
            value={draft}
            onInput={(e) => {
              const v = e.currentTarget.value;
              setDraft(v);
              drafts.current.set(chat.id, v);
              store.chats.typed(chat.id, v.trim() === '');
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) send(e);
            }}
          />
          <button type="submit" class="primary" disabled={!draft.trim()}>
            {t("Send")}
          </button>
        </form>
      ) : (
        <p class="closed-note" role="status">
          {closedText} {t("The transcript is kept in History.")}
        </p>
      )}
    </section>
  );
}

/**
 * Chats on the agent channel: offers, accepted conversations, delivery
 * state, typing both ways, and the resend of unacknowledged messages after
 * a reconnect (same cid, so the server stores each message once).
 */
import { addMessage, addPending, applyAck, mergeHistory, newCid, resendUnsent, TypingSignal, type Unsent } from '@cw/client-core';
import type { ChatAckMsg, ChatHistoryMsg, ChatInfoMsg, ChatMessageMsg, ChatOfferMsg, TypingMsg } from '@cw/protocol';
import { getHistory } from '../api.js';
import { announce, notifyIfHidden } from '../notify.js';
import { newChat, type Chat } from './chats.js';
import type { StoreContext } from './context.js';
import { loadPending, savePending } from './pending-memory.js';
import { t } from '../i18n.js';

/** A visitor's typing mark fades if no update comes (lost Typing false). */
const VISITOR_TYPING_TTL_MS = 10_000;
/** After a reconnect, chats not confirmed by ChatHistory within this time are checked over HTTP. */
const STALE_CHECK_MS = 4000;

export class ChatController {
  #ctx: StoreContext;
  /** the agent's typing indicator, per chat */
  #typing = new Map<string, TypingSignal>();
  #visitorTypingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #staleTimer: ReturnType<typeof setTimeout> | null = null;
  #closeNotification = new Map<string, () => void>();

  #pendingStored = false;
  #restoredPending: Record<string, Unsent[]>;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
    this.#restoredPending = loadPending(ctx.state.user.id);
  }

  #chat(id: string): Chat | undefined {
    return this.#ctx.state.chats.find((c) => c.id === id);
  }

  #put(chat: Chat): void {
    const chats = this.#ctx.state.chats;
    const i = chats.findIndex((c) => c.id === chat.id);
    this.#ctx.set({ chats: i < 0 ? [...chats, chat] : chats.map((c) => (c.id === chat.id ? chat : c)) });
    const hadPending = this.#pendingStored;
    this.#pendingStored = this.#ctx.state.chats.some((c) => c.lines.some((l) => l.delivery === 'sending'));
    if (hadPending || this.#pendingStored) savePending(this.#ctx.state.user.id, this.#ctx.state.chats);
  }

  #isVisible(chatId: string): boolean {
    return this.#ctx.state.activeChat === chatId && document.visibilityState === 'visible';
  }

  onOffer(m: ChatOfferMsg): void {
    const state = this.#ctx.state;
    if (this.#chat(m.chat)?.phase === 'open') return;
    const messages = (m.messages ?? []).filter((x) => x.from === 'visitor').map((x) => ({ id: x.id, text: x.text }));
    const known = state.offers.find((o) => o.id === m.chat);
    if (known) {
      // The offer again (the visitor wrote more before anyone accepted): only its messages change.
      if (messages.length) this.#ctx.set({ offers: state.offers.map((o) => (o.id === m.chat ? { ...o, messages } : o)) });
      return;
    }
    const from = { dn: m.from?.dn ?? t('Visitor'), ...(m.from?.email ? { email: m.from.email } : {}) };
    const offer = { id: m.chat, from, widget: m.widget ?? null, since: this.#ctx.now(), accepting: false, ...(m.visitor ? { visitor: m.visitor } : {}), ...(messages.length ? { messages } : {}), ...(m.earlier?.length ? { earlier: m.earlier } : {}) };
    this.#ctx.set({ offers: [...state.offers, offer] });
    this.#ctx.onChatRequest?.();
    const widget = m.widget?.name;
    const via = widget ? ` ${t('via {widget}', { widget })}` : '';
    announce(widget ? t('Chat request from {name} via {widget}.', { name: from.dn, widget }) : t('Chat request from {name}.', { name: from.dn }));
    this.#closeNotification.set(m.chat, notifyIfHidden(t("Chat request"), `${from.dn}${via}`, `chat:${m.chat}`));
  }

  accept(id: string): void {
    const offer = this.#ctx.state.offers.find((o) => o.id === id);
    if (!offer || offer.accepting) return;
    if (!this.#ctx.send({ mt: 'ChatAccept', chat: id })) {
      this.#ctx.notice(t("Not connected to the server; try again in a moment."), 'warning');
      return;
    }
    this.#ctx.set({ offers: this.#ctx.state.offers.map((o) => (o.id === id ? { ...o, accepting: true } : o)) });
  }

  /** The chat became ours (ChatInfo accepted, or ChatHistory after accept/reconnect). */
  #adopt(id: string, from?: { dn: string; email?: string }, widget?: { uuid: string; name: string } | null): Chat {
    const existing = this.#chat(id);
    if (existing) return existing;
    const offer = this.#ctx.state.offers.find((o) => o.id === id);
    const chat = newChat(id, from ?? offer?.from ?? { dn: 'Visitor' }, widget ?? offer?.widget ?? null);
    if (offer?.visitor) chat.context = offer.visitor;
    this.#dropOffer(id);
    this.#put(chat);
    // A chat the agent just accepted comes to the front; one restored after a reconnect does not.
    if (!this.#ctx.state.activeChat || offer?.accepting) this.#ctx.set({ activeChat: id });
    return chat;
  }

  onHistory(m: ChatHistoryMsg): void {
    if (m.state === 'closed' || m.state === 'taken') {
      this.onInfo({ mt: 'ChatInfo', chat: m.chat, state: m.state });
      return;
    }
    const had = !!this.#chat(m.chat);
    let chat = this.#adopt(m.chat, m.from, m.widget ?? null);
    if (!had) {
      // After a reload: what was still unacknowledged before it goes out again with the same cid.
      for (const u of this.#restoredPending[m.chat] ?? []) chat = { ...chat, lines: addPending(chat.lines, u, 'agent', this.#myDn()) };
      delete this.#restoredPending[m.chat];
    }
    const merged: Chat = { ...chat, phase: 'open', closedBy: undefined, stale: false, lines: mergeHistory(chat.lines, m.messages ?? []), ...(m.visitor ? { context: m.visitor } : {}) };
    this.#put(merged);
    if (!had) announce(t('Chat with {name} accepted.', { name: merged.visitor.dn }));
    this.#resend(merged);
  }

  onInfo(m: ChatInfoMsg): void {
    const id = m.chat;
    const offer = this.#ctx.state.offers.find((o) => o.id === id);
    if (m.state === 'accepted') {
      if (offer?.accepting) this.#adopt(id);
      else if (offer) this.#dropOffer(id);
      return;
    }
    if (m.state === 'taken') {
      if (offer) {
        this.#dropOffer(id);
        this.#ctx.notice(t('The chat request from {name} was taken by another console.', { name: offer.from.dn }));
      }
      return;
    }
    if (m.state === 'closed') {
      if (offer) {
        this.#dropOffer(id);
        this.#ctx.notice(t('The chat request from {name} was withdrawn.', { name: offer.from.dn }));
        this.#ctx.onMissed?.();
      }
      const chat = this.#chat(id);
      if (chat && chat.phase === 'open') {
        this.#stopTyping(id, false);
        this.#put({ ...chat, phase: 'closed', closedBy: m.by ?? 'system', visitorTyping: false, stale: false });
        const name = chat.visitor.dn;
        const who = m.by === 'visitor' ? t('{name} ended the chat.', { name }) : m.by === 'agent' ? t('Chat with {name} ended.', { name }) : t('Chat with {name} was closed.', { name });
        announce(who);
      }
    }
  }

  onMessage(m: ChatMessageMsg): void {
    const chat = this.#chat(m.chat);
    if (!chat) return;
    const { lines, added } = addMessage(chat.lines, m);
    if (!added) {
      this.#put({ ...chat, lines });
      return;
    }
    const fromVisitor = m.from === 'visitor';
    const unread = fromVisitor && !this.#isVisible(m.chat) ? chat.unread + 1 : chat.unread;
    this.#put({ ...chat, lines, unread, visitorTyping: fromVisitor ? false : chat.visitorTyping });
    if (fromVisitor) {
      this.#clearVisitorTyping(m.chat);
      // The open chat's log is itself a live region; messages in other chats are announced here.
      if (!this.#isVisible(m.chat)) announce(t('New message from {name}: {text}', { name: m.dn || chat.visitor.dn, text: m.text }));
      if (document.visibilityState === 'hidden') notifyIfHidden(t('Message from {name}', { name: m.dn || chat.visitor.dn }), m.text.slice(0, 200), `msg:${m.chat}`);
    }
  }

  onAck(m: ChatAckMsg): void {
    const chat = this.#chat(m.chat);
    if (chat) this.#put({ ...chat, lines: applyAck(chat.lines, m) });
  }

  onTyping(m: TypingMsg): void {
    const chat = this.#chat(m.chat);
    if (!chat || chat.phase !== 'open') return;
    this.#clearVisitorTyping(m.chat);
    if (m.typing) this.#visitorTypingTimers.set(m.chat, setTimeout(() => this.onTyping({ mt: 'Typing', chat: m.chat, typing: false }), VISITOR_TYPING_TTL_MS));
    if (chat.visitorTyping !== m.typing) this.#put({ ...chat, visitorTyping: m.typing });
  }

  #clearVisitorTyping(id: string): void {
    const t = this.#visitorTypingTimers.get(id);
    if (t) clearTimeout(t);
    this.#visitorTypingTimers.delete(id);
  }

  /** Sends a message; it shows as "sending" until ChatAck. */
  send(id: string, text: string): boolean {
    const chat = this.#chat(id);
    const t = text.trim();
    if (!chat || chat.phase !== 'open' || !t) return false;
    const cid = newCid('a');
    this.#stopTyping(id, true);
    this.#put({ ...chat, lines: addPending(chat.lines, { cid, text, ts: this.#ctx.now() }, 'agent', this.#myDn()) });
    this.#ctx.send({ mt: 'ChatMessage', chat: id, cid, text });
    return true;
  }

  /** The agent typed in a chat's Message field. */
  typed(id: string, empty: boolean): void {
    const chat = this.#chat(id);
    if (!chat || chat.phase !== 'open') return;
    let signal = this.#typing.get(id);
    if (!signal) {
      signal = new TypingSignal((typing) => this.#ctx.send({ mt: 'Typing', chat: id, typing }));
      this.#typing.set(id, signal);
    }
    signal.input(!empty);
  }

  #stopTyping(id: string, tell: boolean): void {
    this.#typing.get(id)?.stop(tell);
  }

  end(id: string): void {
    const chat = this.#chat(id);
    if (!chat || chat.phase !== 'open') return;
    this.#stopTyping(id, false);
    if (!this.#ctx.send({ mt: 'ChatEnd', chat: id })) {
      this.#ctx.notice(t("Not connected to the server; the chat will stay open until you can end it."), 'warning');
      return;
    }
    // Shown closed at once; the server's ChatInfo closed confirms it.
    this.onInfo({ mt: 'ChatInfo', chat: id, state: 'closed', by: 'agent' });
  }

  /** Removes a closed chat from the list (it stays in History). */
  dismiss(id: string): void {
    this.#typing.delete(id);
    const chats = this.#ctx.state.chats.filter((c) => c.id !== id);
    const activeChat = this.#ctx.state.activeChat === id ? (chats.find((c) => c.phase === 'open')?.id ?? chats[0]?.id ?? null) : this.#ctx.state.activeChat;
    this.#ctx.set({ chats, activeChat });
  }

  open(id: string | null): void {
    this.#ctx.set({ activeChat: id });
    if (id) this.markRead(id);
  }

  markRead(id: string): void {
    const chat = this.#chat(id);
    if (chat && chat.unread) this.#put({ ...chat, unread: 0 });
  }

  /** A fresh Welcome after a reconnect: wait for ChatHistory, then check what is still unconfirmed. */
  onReconnected(): void {
    for (const signal of this.#typing.values()) signal.reset();
    const chats = this.#ctx.state.chats.map((c) => (c.phase === 'open' ? { ...c, stale: true, visitorTyping: false } : c));
    this.#ctx.set({ chats, offers: this.#ctx.state.offers.map((o) => ({ ...o, accepting: false })) });
    if (this.#staleTimer) clearTimeout(this.#staleTimer);
    this.#staleTimer = setTimeout(() => void this.#checkStale(), STALE_CHECK_MS);
  }

  /** Chats the server did not re-announce: ask the API whether they closed meanwhile. */
  async #checkStale(): Promise<void> {
    this.#staleTimer = null;
    for (const c of this.#ctx.state.chats.filter((x) => x.stale && x.phase === 'open')) {
      try {
        const h = await getHistory(c.id);
        if (h.chat.state === 'closed') {
          this.onInfo({ mt: 'ChatInfo', chat: c.id, state: 'closed', by: (h.chat.closedBy as 'visitor' | 'agent' | 'system' | null) ?? 'system' });
          continue;
        }
      } catch {
        /* the API may not know it either; keep the chat and retry sending */
      }
      const now = this.#chat(c.id);
      if (now && now.phase === 'open') {
        this.#put({ ...now, stale: false });
        this.#resend(now);
      }
    }
  }

  #resend(chat: Chat): void {
    resendUnsent(chat.id, chat.lines, (m) => this.#ctx.send(m));
  }

  /** The name the agent's own lines show. */
  #myDn(): string {
    return this.#ctx.state.user.displayName || this.#ctx.state.user.username;
  }

  #dropOffer(id: string): void {
    this.#closeNotification.get(id)?.();
    this.#closeNotification.delete(id);
    this.#ctx.set({ offers: this.#ctx.state.offers.filter((o) => o.id !== id) });
  }

  /** An Error reply to one of our chat messages. */
  onError(ref: string | null, code: string): void {
    if (ref === 'ChatAccept' && code === 'unknown-chat') {
      const gone = this.#ctx.state.offers.filter((o) => o.accepting);
      for (const o of gone) this.#dropOffer(o.id);
      if (gone.length) this.#ctx.notice(t("That chat request is no longer available."));
    }
  }
}

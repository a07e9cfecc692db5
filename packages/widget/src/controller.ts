/**
 * The live widget: one visitor-channel socket (spec 2), the state it feeds,
 * and the visitor's actions. Each <contact-widget> element owns one.
 */
import { addMessage, addPending, applyAck, JsonSocket, mergeHistory, newCid, pendingLine, resendUnsent, TypingSignal, unsentFrom, type VisitorSocket } from '@cw/client-core';
import type { ChatHistoryMsg, ChatInfoMsg, ChatMessageMsg, ErrorMsg, InfoMsg, SessionMsg, VisitorInbound, VisitorOutbound } from '@cw/protocol';
import type { VisitorCall } from './call.js';
import { loadConversation, type Conversation } from './lazy.js';
import { initialState, upsertAgent, type Action, type Actions, type ChatView, type Model, type WidgetState } from './model.js';
import { load, save, snapshot, type Saved } from './persist.js';
import { wantedLang } from './text.js';

/** How long after a resuming Session we wait for ChatHistory before calling the chat gone. */
const RESUME_WAIT_MS = 3000;
/** After `rate-limited` (the server closes the socket), the socket connects again after this pause. */
const RATE_LIMIT_PAUSE_MS = 10_000;
/** An agent's typing indicator clears itself if no update comes. */
const PEER_TYPING_MAX_MS = 15000;
/** Pictures asked for per second (the server allows 20 messages a second on average). */
const PICTURES_PER_S = 10;

/** The socket URL for a server base (`https://x` → `wss://x/ws/widget`). */
export function socketUrl(server: string): string {
  const u = new URL(server);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = u.pathname.replace(/\/+$/, '') + '/ws/widget';
  u.search = '';
  u.hash = '';
  return u.href;
}

export class WidgetController implements Model {
  state: WidgetState = initialState();
  readonly actions: Actions;
  #uuid: string;
  #server: string;
  #sock: VisitorSocket;
  #listeners = new Set<() => void>();
  #saved: Saved;
  #asked = new Set<string>();
  #ice: RTCIceServer[] = [];
  #call: VisitorCall | null = null;
  #resuming = false;
  #resumeTimer: ReturnType<typeof setTimeout> | undefined;
  /** the visitor's typing indicator for the open chat */
  #typing = new TypingSignal((typing) => {
    const chat = this.state.chat;
    if (!chat?.id || chat.state === 'closed' || chat.state === 'lost') return false;
    return this.#send({ mt: 'Typing', chat: chat.id, typing });
  });
  #peerTypingTimer: ReturnType<typeof setTimeout> | undefined;
  #pendingAction: { agent: string; action: Action } | null = null;
  #onOnline = () => this.#sock.retryNow();

  /** the element's `lang` attribute: a language the website forces (spec 13) */
  #forcedLang: string | null;

  constructor(uuid: string, server: string, lang: string | null = null) {
    this.#forcedLang = lang;
    this.#uuid = uuid;
    this.#server = server;
    this.#saved = load(uuid);
    this.state.visitor = { dn: this.#saved.dn ?? '', email: this.#saved.email ?? '' };
    if (this.#saved.view?.session && Array.isArray(this.#saved.view.agents)) {
      this.state.session = this.#saved.view.session;
      this.state.agents = this.#saved.view.agents;
    }
    const savedChat = this.#saved.chat;
    if (savedChat) {
      this.state.chat = { id: savedChat.id, agent: savedChat.agent, agentDn: savedChat.agentDn, state: 'starting', peerTyping: false, draft: savedChat.draft ?? '',
        // What was typed but not acked shows at once; ChatHistory fills in the rest.
        lines: unsentFrom(savedChat.pending).map((u) => pendingLine(u, 'visitor', this.state.visitor.dn)),
      };
      this.state.screen = { kind: 'chat' };
      this.state.expanded = true;
      void this.#conv().catch(() => {});
    }
    this.#sock = new JsonSocket(socketUrl(server), { rateLimitPauseMs: RATE_LIMIT_PAUSE_MS });
    this.#sock.on('open', () => this.#onOpen());
    this.#sock.on('message', (m) => this.#onMessage(m));
    this.#sock.on('close', (_code, willRetry) => this.#onClose(willRetry));
    this.actions = this.#makeActions();
  }

  /** The current call's peer connection (for the element's test hook). */
  get peer(): RTCPeerConnection | null {
    return this.#call?.peer ?? null;
  }

  start(): void {
    window.addEventListener('online', this.#onOnline);
    this.#sock.connect();
  }

  stop(): void {
    window.removeEventListener('online', this.#onOnline);
    this.#call?.hangUp();
    this.#sock.close();
    clearTimeout(this.#resumeTimer);
    this.#typing.reset();
    clearTimeout(this.#peerTypingTimer);
    clearTimeout(this.#persistTimer);
    clearTimeout(this.#pictureTimer);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(patch: Partial<WidgetState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.#listeners) listener();
  }

  #setChat(patch: Partial<ChatView> | null): void {
    this.#set({ chat: patch === null ? null : { ...this.state.chat!, ...patch } });
    this.#persist();
  }

  #persist(): void {
    this.#saved = snapshot(this.state, this.#saved.session);
    save(this.#uuid, this.#saved);
  }

  #persistTimer: ReturnType<typeof setTimeout> | undefined;
  /** Coalesces a burst of Info messages into one write. */
  #persistSoon(): void {
    if (this.#persistTimer === undefined) this.#persistTimer = setTimeout(() => ((this.#persistTimer = undefined), this.#persist()), 100);
  }

  /** The chat/call code, loaded on first use. */
  #conv(): Promise<Conversation> {
    return loadConversation(this.#server).then(
      (m) => {
        if (!this.state.conv) this.#set({ conv: m, convFailed: false });
        return m;
      },
      (e) => {
        this.#set({ convFailed: true });
        throw e;
      },
    );
  }

  #send(m: VisitorInbound): boolean {
    return this.#sock.send(m);
  }

  // ------------------------------------------------------------ socket events

  #onOpen(): void {
    const browser = typeof navigator !== 'undefined' ? (navigator.languages?.length ? navigator.languages : [navigator.language]) : [];
    const lang = wantedLang(this.#forcedLang, browser);
    this.#send({ mt: 'Start', uuid: this.#uuid, ...(this.#saved.session ? { session: this.#saved.session } : {}), ...(lang ? { lang } : {}), ...pageContext() });
    this.#resuming = !!this.state.chat && this.state.chat.state !== 'closed' && this.state.chat.state !== 'lost';
    this.#set({ conn: 'open' });
  }

  #onClose(willRetry: boolean): void {
    this.#call?.lost();
    this.#typing.reset();
    this.#set({ conn: willRetry ? 'reconnecting' : 'hidden' });
  }

  #onMessage(m: VisitorOutbound): void {
    switch (m.mt) {
      case 'Session':
        return this.#onSession(m);
      case 'Info':
        return this.#onInfo(m);
      case 'Remove':
        this.#set({ agents: this.state.agents.filter((a) => a.id !== m.id) });
        this.#persistSoon();
        return;
      case 'Picture':
        // Only an image data URL is shown; anything else (javascript:, a remote URL) is dropped.
        this.#set({ pictures: { ...this.state.pictures, [m.id]: /^data:image\//.test(m.url) ? m.url : '' } });
        return;
      case 'IceConfig':
        if (Array.isArray(m.iceServers)) this.#ice = m.iceServers;
        return;
      case 'CallInfo':
        void this.#call?.handle(m);
        return;
      case 'ChatInfo':
        return this.#onChatInfo(m);
      case 'ChatHistory':
        return this.#onHistory(m);
      case 'ChatAck':
        if (this.state.chat && m.chat === this.state.chat.id) this.#setChat({ lines: applyAck(this.state.chat.lines, m) });
        return;
      case 'ChatMessage':
        return this.#onChatMessage(m);
      case 'Typing':
        if (this.state.chat && m.chat === this.state.chat.id) {
          clearTimeout(this.#peerTypingTimer);
          if (m.typing) this.#peerTypingTimer = setTimeout(() => this.state.chat && this.#setChat({ peerTyping: false }), PEER_TYPING_MAX_MS);
          this.#setChat({ peerTyping: m.typing });
        }
        return;
      case 'OfflineAck':
        if (this.#offlineMsg && m.cid === this.#offlineMsg.cid) {
          this.#offlineMsg = null;
          this.#set({ offline: { phase: 'sent' } });
        }
        return;
      case 'ChatTranscriptAck':
        return;
      case 'Error':
        return this.#onError(m);
    }
  }

  /** the offline message in flight (resent once after `too-fast`) */
  #offlineMsg: Extract<VisitorInbound, { mt: 'OfflineMessage' }> | null = null;
  #offlineRetried = false;

  #onSession(session: SessionMsg): void {
    const fresh = this.#saved.session !== undefined && this.#saved.session !== session.session;
    this.#saved.session = session.session;
    // A fresh Session (first, after a reconnect or an admin save) means: ask for pictures again.
    this.#asked.clear();
    this.#wanted = [];
    this.#set({ session });
    this.#persist();
    if (this.#resuming) {
      clearTimeout(this.#resumeTimer);
      if (fresh) this.#chatGone();
      else this.#resumeTimer = setTimeout(() => this.#resuming && this.#chatGone(), RESUME_WAIT_MS);
    }
  }

  #chatGone(): void {
    this.#resuming = false;
    const chat = this.state.chat;
    if (!chat) return;
    if (!chat.id) {
      // The chat was never confirmed: ask again, with everything typed so far.
      this.#sendChatStart(chat.agent);
      return;
    }
    this.#setChat({ state: 'lost', peerTyping: false });
  }

  #onInfo(info: InfoMsg): void {
    this.#set({ agents: upsertAgent(this.state.agents, info) });
    this.#persistSoon();
    // Pictures are asked for as the UI shows cards (`showing`); the agent of a resumed chat or call at once.
    if (this.state.chat?.agent === info.id || this.state.call?.agent === info.id) this.#want([info.id]);
    // Keep the chat's and call's agent name current.
    if (this.state.chat?.agent === info.id && this.state.chat.agentDn !== info.dn && this.state.chat.state !== 'accepted') this.#setChat({ agentDn: info.dn });
  }

  #wanted: string[] = [];
  #pictureTimer: ReturnType<typeof setTimeout> | undefined;
  /** Asks for each picture once per Session, at most PICTURES_PER_S a second (1,000 cards must not trip the rate limit). */
  #want(ids: string[]): void {
    for (const id of ids) {
      if (this.#asked.has(id)) continue;
      this.#asked.add(id);
      this.#wanted.push(id);
    }
    if (this.#pictureTimer !== undefined) return;
    for (const id of this.#wanted.splice(0, PICTURES_PER_S)) this.#send({ mt: 'GetPicture', id });
    if (this.#wanted.length) this.#pictureTimer = setTimeout(() => ((this.#pictureTimer = undefined), this.#want([])), 1000);
  }

  #onError(m: ErrorMsg): void {
    const code = m.code;
    if (code === 'unknown-widget' || code === 'origin-not-allowed') {
      // Not the visitor's problem to solve; tell the site owner in the console.
      console.warn(`contact-widget ${this.#uuid}: ${code}: ${m.text}`);
      this.#set({ conn: 'hidden', session: null, agents: [] });
      this.#persist();
    } else if (m.ref === 'OfflineMessage') {
      const msg = this.#offlineMsg;
      if (code === 'too-fast' && msg && !this.#offlineRetried) {
        // Sent quicker than the server's minimum fill time (autofill): once more in a moment.
        this.#offlineRetried = true;
        setTimeout(() => this.#send(msg), 3000);
        return;
      }
      this.#offlineMsg = null;
      this.#set({ offline: { phase: 'error', error: code === 'try-later' ? 'limited' : 'failed' } });
    } else if (m.ref === 'ChatTranscript') {
      this.#set({ transcript: null });
    } else if (m.ref === 'CreateCall' || m.ref === 'Channels') {
      this.#call?.hangUp(code === 'media-not-allowed' || code === 'unknown-agent' ? 'unavailable' : 'error');
    } else if (m.ref === 'ChatStart' && this.state.chat && !this.state.chat.id) {
      this.#setChat({ state: 'lost' });
    } else if (code === 'unknown-chat' && this.state.chat) {
      this.#setChat({ state: 'lost', peerTyping: false });
    }
  }

  // ------------------------------------------------------------------ chat

  #onChatInfo(m: ChatInfoMsg): void {
    const chat = this.state.chat;
    if (!chat) return;
    if (chat.id && m.chat !== chat.id) return;
    const state = m.state;
    if (state === 'waiting') this.#setChat({ id: m.chat, state: chat.state === 'accepted' ? 'accepted' : 'waiting' });
    else if (state === 'accepted') this.#setChat({ id: m.chat, state: 'accepted', agentDn: typeof m.agentDn === 'string' && m.agentDn ? m.agentDn : chat.agentDn });
    else if (state === 'closed') this.#setChat({ id: m.chat, state: 'closed', by: m.by, peerTyping: false });
    else return;
    if (!chat.id) this.#flush();
  }

  #onHistory(history: ChatHistoryMsg): void {
    const chat = this.state.chat;
    if (!chat || (chat.id && chat.id !== history.chat)) return;
    this.#resuming = false;
    clearTimeout(this.#resumeTimer);
    const lines = mergeHistory(chat.lines, history.messages ?? []);
    const state = history.state === 'accepted' || history.state === 'waiting' || history.state === 'closed' ? history.state : 'accepted';
    this.#setChat({ id: history.chat, state, lines, agentDn: history.agentDn || chat.agentDn });
    this.#flush();
  }

  #onChatMessage(m: ChatMessageMsg): void {
    const chat = this.state.chat;
    if (!chat || m.chat !== chat.id) return;
    const { lines, added } = addMessage(chat.lines, m);
    const seen = this.state.screen.kind === 'chat' && (this.state.expanded || this.state.session?.type === 'cards');
    if (added && m.from === 'agent' && !seen) this.#set({ unread: this.state.unread + 1 });
    this.#setChat({ lines, peerTyping: m.from === 'agent' ? false : chat.peerTyping });
  }

  /** Sends every unacked line (same cid: the server keeps one copy). */
  #flush(): void {
    const chat = this.state.chat;
    if (!chat?.id || this.#resuming || chat.state === 'closed' || chat.state === 'lost') return;
    resendUnsent(chat.id, chat.lines, (m) => this.#send(m));
  }

  #sendChatStart(agent: string): void {
    const v = this.state.visitor;
    this.#send({ mt: 'ChatStart', dest: agent, dn: v.dn, ...(v.email ? { email: v.email } : {}) });
  }

  // -------------------------------------------------------------- actions

  #agentDn(id: string): string {
    return this.state.agents.find((a) => a.id === id)?.dn ?? id;
  }

  #begin(agent: string, action: Action): void {
    if (action === 'chat') {
      // Starting a new chat replaces a finished one; an open one is simply shown.
      const chat = this.state.chat;
      if (chat && chat.state !== 'closed' && chat.state !== 'lost') return this.#set({ screen: { kind: 'chat' }, unread: 0 });
      this.#set({ chat: { agent, agentDn: this.#agentDn(agent), state: 'starting', lines: [], peerTyping: false, draft: '' }, screen: { kind: 'chat' } });
      this.#persist();
      this.#sendChatStart(agent);
      return;
    }
    if (this.#call?.active) return this.#set({ screen: { kind: 'call' } });
    this.#set({ screen: { kind: 'call' } });
    void this.#conv().then(
      (conv) => this.#startCall(conv, agent, action === 'video'),
      () => this.#set({ call: { agent, agentDn: this.#agentDn(agent), video: action === 'video', phase: 'ended', reason: 'error', muted: false, cameraOff: false, local: null, remote: null } }),
    );
  }

  #startCall(conv: Conversation, agent: string, video: boolean): void {
    if (this.#call?.active) return;
    const call = new conv.VisitorCall({
      agent,
      dn: this.state.visitor.dn,
      video,
      iceServers: this.#ice,
      send: (m) => this.#send(m),
      onChange: () => this.#syncCall(),
    });
    this.#call = call;
    this.#syncCall();
    void call.start();
  }

  #syncCall(): void {
    const call = this.#call;
    this.#set({ call: call ? call.view(this.#agentDn(call.agent)) : null });
  }

  #makeActions(): Actions {
    return {
      setExpanded: (open) => {
        this.#set({ expanded: open, unread: open && this.state.screen.kind === 'chat' ? 0 : this.state.unread });
        if (open) void this.#conv().catch(() => {});
      },
      prefetch: () => void this.#conv().catch(() => {}),
      showing: (ids) => this.#want(ids),
      choose: (agent, action) => {
        this.#pendingAction = { agent, action };
        void this.#conv().catch(() => {});
        if (this.state.visitor.dn) this.#begin(agent, action);
        else this.#set({ screen: { kind: 'prompt', agent, action } });
      },
      submitName: (dn, email) => {
        const name = dn.trim().slice(0, 100);
        if (!name) return;
        this.#set({ visitor: { dn: name, email: email.trim().slice(0, 254) } });
        this.#persist();
        const pending = this.#pendingAction;
        if (pending) this.#begin(pending.agent, pending.action);
      },
      back: () => {
        if (this.#call && !this.#call.active) {
          this.#call = null;
          this.#syncCall();
        }
        const chat = this.state.chat;
        if (chat && (chat.state === 'closed' || chat.state === 'lost')) this.#setChat(null);
        this.#set({ screen: { kind: 'list' } });
      },
      sendChat: (text) => {
        const chat = this.state.chat;
        if (!chat || !text.trim() || chat.state === 'closed' || chat.state === 'lost') return;
        const cid = newCid('v');
        this.#setChat({ draft: '', lines: addPending(chat.lines, { cid, text, ts: Date.now() }, 'visitor', this.state.visitor.dn) });
        this.#typing.stop();
        if (chat.id && !this.#resuming) this.#send({ mt: 'ChatMessage', chat: chat.id, cid, text });
      },
      setDraft: (text) => {
        if (!this.state.chat) return;
        this.#setChat({ draft: text });
        this.#typing.input(text.trim() !== '');
      },
      endChat: () => {
        const chat = this.state.chat;
        if (!chat) return;
        this.#typing.stop();
        if (chat.id) this.#send({ mt: 'ChatEnd', chat: chat.id });
        this.#setChat({ state: 'closed', by: 'visitor', peerTyping: false });
      },
      openOffline: () => {
        void this.#conv().catch(() => {});
        this.#set({ screen: { kind: 'offline' }, offline: this.state.offline.phase === 'sent' ? this.state.offline : { phase: 'idle' } });
      },
      sendOffline: (f) => {
        const msg = { mt: 'OfflineMessage' as const, cid: newCid('o'), email: f.email, text: f.text, consent: f.consent, ...(f.name ? { name: f.name } : {}), ...(f.hp ? { hp: f.hp } : {}) };
        this.#offlineMsg = msg;
        this.#offlineRetried = false;
        // Known from now on: the transcript and later forms need not ask again.
        this.#set({ offline: { phase: 'sending' }, visitor: { dn: f.name || this.state.visitor.dn, email: f.email } });
        this.#persist();
        if (!this.#send(msg)) this.#set({ offline: { phase: 'error', error: 'failed' } });
      },
      sendTranscript: (email) => {
        const chat = this.state.chat;
        if (!chat?.id) return;
        this.#send({ mt: 'ChatTranscript', chat: chat.id, email });
        this.#set({ transcript: { chat: chat.id, email }, visitor: { ...this.state.visitor, email } });
        this.#persist();
      },
      hangUp: () => this.#call?.hangUp(),
      toggleMute: () => this.#call?.toggleMute(),
      toggleCamera: () => this.#call?.toggleCamera(),
      setDevice: (kind, id) => void this.#call?.setDevice(kind, id),
    };
  }
}

/** Spec 14: the host page's address and title, for the agent (web pages only; none in the admin preview). */
function pageContext(): { page?: { url: string; title: string } } {
  if (typeof location === 'undefined' || !/^https?:$/.test(location.protocol)) return {};
  return { page: { url: location.href.slice(0, 2000), title: (typeof document !== 'undefined' ? document.title : '').slice(0, 500) } };
}

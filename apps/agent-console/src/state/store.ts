/**
 * The console's single source of truth: owns the agent channel (a
 * reconnecting JsonSocket), dispatches each server message to the call or
 * chat controller, restores presence after every (re)connect, and tells the
 * UI when the state changed.
 */
import { BackoffPolicy, JsonSocket, msg, type AgentSocket } from '@cw/client-core';
import { PRESENCE, type AgentOutbound, type Presence } from '@cw/protocol';
import type { Me } from '../api.js';
import { Ringtone } from '../media/ringtone.js';
import { announce } from '../notify.js';
import { CallController } from './calls.js';
import { ChatController } from './chat-controller.js';
import type { StoreContext } from './context.js';
import { loadPresence, savePresence } from './presence-memory.js';
import type { ConsoleState, Notice } from './types.js';
import { t } from '../i18n.js';

/** Pause before the socket connects again after the server closed us for sending too fast. */
const RATE_LIMIT_PAUSE_MS = 5000;

/** How long an informational notice stays. */
const INFO_NOTICE_MS = 20_000;

const PRESENCE_WORD: Record<Presence, string> = { online: msg('Online'), away: msg('Away'), busy: msg('Busy'), offline: msg('Offline') };

export interface StoreOptions {
  /** ws(s)://host/ws/agent; default: this page's origin */
  url?: string;
  socket?: AgentSocket;
}

export class ConsoleStore {
  #state: ConsoleState;
  #listeners = new Set<() => void>();
  #socket: AgentSocket;
  #noticeSeq = 0;
  #welcomed = false;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  /** the presence we re-sent after Welcome, until the server confirms it */
  #restoring: Presence | null = null;
  #unsub: (() => void)[] = [];
  #missedListeners = new Set<() => void>();
  readonly ringtone = new Ringtone();
  readonly calls: CallController;
  readonly chats: ChatController;

  constructor(user: Me, opts: StoreOptions = {}) {
    this.#state = { user, link: 'connecting', linkText: '', presence: null, visible: null, ringing: [], call: null, offers: [], chats: [], activeChat: null, notices: [] };
    const url = opts.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/agent`;
    this.#socket = opts.socket ?? new JsonSocket(url, { policy: new BackoffPolicy(500, 10_000), rateLimitPauseMs: RATE_LIMIT_PAUSE_MS });
    const store = this;
    const ctx: StoreContext = {
      get state() {
        return store.#state;
      },
      set: (patch) => this.#set(patch),
      send: (m) => this.#socket.send(m),
      notice: (t, k) => this.notice(t, k),
      now: () => Date.now(),
      onChatRequest: () => {
        if (chatSoundOn()) this.ringtone.chime();
      },
      onMissed: () => {
        for (const l of this.#missedListeners) l();
      },
    };
    this.calls = new CallController(ctx, this.ringtone);
    this.chats = new ChatController(ctx);
  }

  get state(): ConsoleState {
    return this.#state;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(patch: Partial<ConsoleState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (e) {
        setTimeout(() => {
          throw e;
        });
      }
    }
  }

  /**
   * Called when a call or chat request that rang here ended without anyone taking it (or was declined):
   * the server has (or is about to have) a new Missed item, so the Missed view reads again.
   */
  onMissed(listener: () => void): () => void {
    this.#missedListeners.add(listener);
    return () => this.#missedListeners.delete(listener);
  }

  start(): void {
    this.#unsub.push(
      this.#socket.on('open', () => this.#set({ link: 'online', linkText: '' })),
      this.#socket.on('message', (m) => this.#onMessage(m)),
      this.#socket.on('close', (code, willRetry) => this.#onClose(code, willRetry)),
      this.ringtone.onChange(() => this.#set({})),
    );
    const online = () => this.#socket.retryNow();
    window.addEventListener('online', online);
    this.#unsub.push(() => window.removeEventListener('online', online));
    this.#socket.connect();
  }

  stop(): void {
    for (const u of this.#unsub.splice(0)) u();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.calls.hangUp();
    this.ringtone.stop();
    this.#socket.close();
  }

  /** The agent picked a presence: remember it here and tell the server. */
  setPresence(presence: Presence): void {
    savePresence(this.#state.user.id, presence);
    if (this.#socket.send({ mt: 'SetPresence', presence })) this.#set({ presence });
    else this.notice(t('Not connected: your presence will be set to {presence} when the connection is back.', { presence: t(PRESENCE_WORD[presence]) }), 'warning');
  }

  notice(text: string, kind: Notice['kind'] = 'info'): void {
    const n: Notice = { id: ++this.#noticeSeq, text, kind };
    this.#set({ notices: [...this.#state.notices.slice(-4), n] });
    // Plain information fades; warnings and errors (missed calls, failures) stay until dismissed.
    if (kind === 'info') {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        this.dismissNotice(n.id);
      }, INFO_NOTICE_MS);
      this.#timers.add(t);
    }
  }

  dismissNotice(id: number): void {
    this.#set({ notices: this.#state.notices.filter((n) => n.id !== id) });
  }

  #onClose(code: number, willRetry: boolean): void {
    this.calls.onLinkLost();
    if (!willRetry) {
      if (this.#state.link !== 'signed-out' && this.#state.link !== 'refused') {
        this.#set({ link: 'refused', linkText: this.#state.linkText || t('The server closed the connection (code {code}). Reload the page to try again.', { code: String(code) }) });
      }
      return;
    }
    if (this.#state.link === 'online') announce(t("Connection to the server lost. Reconnecting…"), 'assertive');
    this.#set({ link: 'reconnecting' });
  }

  #onMessage(m: AgentOutbound): void {
    switch (m.mt) {
      case 'Welcome': {
        const reconnect = this.#welcomed;
        this.#welcomed = true;
        // `visible` from before a drop may be stale (a call that ended meanwhile); the next Presence tells.
        this.#set({ presence: m.presence, visible: null, link: 'online', linkText: '' });
        // Spec 8: a console restores its agent's last choice; connecting alone changes nothing.
        const remembered = loadPresence(this.#state.user.id);
        this.#restoring = null;
        if (remembered && remembered !== m.presence) {
          this.#restoring = remembered;
          this.#socket.send({ mt: 'SetPresence', presence: remembered });
          this.#set({ presence: remembered });
        }
        if (reconnect) {
          this.chats.onReconnected();
          announce(t("Connected to the server again."));
        }
        return;
      }
      case 'Presence':
        if (!PRESENCE.includes(m.presence)) return;
        this.#set({ presence: m.presence, visible: m.visible ?? null });
        // A choice made elsewhere (another console, the presence API) becomes the one to restore,
        // except for what races with our own restore right after Welcome.
        if (this.#restoring === null || this.#restoring === m.presence) {
          this.#restoring = null;
          savePresence(this.#state.user.id, m.presence);
        }
        return;
      case 'IceConfig':
        this.calls.iceServers = m.iceServers ?? [];
        return;
      case 'IncomingCall':
        return this.calls.onIncoming(m);
      case 'CallInfo':
        return this.calls.onCallInfo(m);
      case 'ChatOffer':
        return this.chats.onOffer(m);
      case 'ChatInfo':
        return this.chats.onInfo(m);
      case 'ChatHistory':
        return this.chats.onHistory(m);
      case 'ChatMessage':
        return this.chats.onMessage(m);
      case 'ChatAck':
        return this.chats.onAck(m);
      case 'Typing':
        return this.chats.onTyping(m);
      case 'Error':
        return this.#onError(m.code, m.text, m.ref);
      default:
        return;
    }
  }

  #onError(code: string, text: string, ref: string | null): void {
    if (code === 'unauthorized') {
      this.#set({ link: 'signed-out', linkText: t("Your session has ended. Please sign in again.") });
      return;
    }
    if (code === 'forbidden') {
      this.#set({ link: 'refused', linkText: t("This account may not use the agent console: it does not have the agent role. Ask an administrator to give it the agent role.") });
      return;
    }
    if (code === 'rate-limited') {
      // Not fatal for an agent: the socket comes back by itself after a pause; the notice says so (no second "connection lost").
      this.#set({ link: 'reconnecting' });
      this.notice(t("Too many messages were sent too quickly; reconnecting in a few seconds."), 'warning');
      return;
    }
    this.calls.onError(ref, text);
    this.chats.onError(ref, code);
    if (!(ref === 'ChatAccept' && code === 'unknown-chat')) this.notice(ref ? t('The server refused {request}: {reason}', { request: ref, reason: text }) : t('The server refused a request: {reason}', { reason: text }), 'warning');
  }
}

const CHAT_SOUND_KEY = 'cw-console.chat-sound';

/** Whether a chat request plays a sound (on unless the agent turned it off; kept in this browser). */
export function chatSoundOn(): boolean {
  try {
    return localStorage.getItem(CHAT_SOUND_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function setChatSound(on: boolean): void {
  try {
    localStorage.setItem(CHAT_SOUND_KEY, on ? 'on' : 'off');
  } catch {
    /* private mode: the choice lasts for this page only */
  }
}

/**
 * The visitor channel, /ws/widget (spec 2 and 8): socket work only, one
 * handler per message type; the domain lives in CallManager, ChatManager,
 * PresenceService and WidgetHub.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import { CLOSE, LIMITS, visitorInbound, type Lang, type VisitorContext } from '@cw/protocol';
import type { AppContext } from '../app-deps.js';
import type { CallManager } from '../calls/call-manager.js';
import type { ChatManager, VisitorRef } from '../chat/chat-manager.js';
import type { WidgetRecord } from '../storage/types.js';
import { sendIceAndRefresh } from '../ice.js';
import type { Catalog } from '../domain/widget-directory-cache.js';
import { findWidgetAgent, needMedia } from '../domain/widget-agent.js';
import { Connection, type ConnectionDeps, type Handlers } from './connection.js';
import { buildSession, sessionExtras, sessionLang } from './info.js';
import { originAllowed } from './origins.js';
import { topics, type WidgetEvent } from '../domain/outbox.js';
import type { WidgetHub, WidgetListener } from './widget-hub.js';
import { WireError } from '../domain/wire-error.js';
import type { ContactDesk } from '../contact/contact-desk.js';
import { clientAddress, type TrustFn } from '../http/proxy-trust.js';

/** What every visitor socket of a process shares. */
export interface VisitorGatewayDeps {
  app: AppContext;
  /** the open visitor sockets of this process (for drain) */
  open: Set<VisitorConnection>;
  /** who is believed about the client address */
  trust: TrustFn;
  /** sockets that have not sent Start yet, with the time they opened (the Start deadline) */
  unstarted: Map<VisitorConnection, number>;
  conn: ConnectionDeps;
  catalog: Catalog;
  calls: CallManager;
  chats: ChatManager;
  hub: WidgetHub;
  /** offline messages and transcripts (spec 11) */
  desk: ContactDesk;
}

/** How often activity refreshes the visitor session's 24 h lifetime. */
const TOUCH_EVERY_MS = 60_000;

const handlers: Handlers<typeof visitorInbound, VisitorConnection> = {
  Start: (visitor, msg) => {
    visitor.setContext(msg.page, msg.lang);
    return visitor.start(msg.uuid, msg.session, msg.lang);
  },
  GetPicture: async (visitor, msg) => {
    const { entry } = await findWidgetAgent(visitor.deps.catalog, visitor.uuid!, msg.id);
    // Spec 14: an entry without a picture shows its user's own.
    let url = entry.picture ?? '';
    if (!url) {
      const t = await visitor.deps.catalog.directory(entry.sipId);
      if (t.kind === 'user') url = t.user.picture ?? '';
    }
    visitor.conn.send({ mt: 'Picture', id: entry.sipId, url });
  },
  CreateCall: async (visitor, msg) => {
    const counted = await visitor.countContact();
    try {
      await visitor.deps.calls.handleCreateCall(visitor.ref, { dest: msg.dest, dn: msg.dn, video: msg.video === true, visitor: visitor.context });
    } catch (err) {
      // Refused (call in progress, no such agent...): not a new contact.
      await counted.giveBack();
      throw err;
    }
  },
  Channels: (visitor, msg) => visitor.deps.calls.handleChannels(visitor.conn.id, msg.sdp),
  ClearCall: (visitor) => visitor.deps.calls.handleVisitorClear(visitor.conn.id),
  ChatStart: async (visitor, msg) => {
    const { widget, entry } = await findWidgetAgent(visitor.deps.catalog, visitor.uuid!, msg.dest);
    needMedia(entry, 'chat');
    const counted = await visitor.countContact();
    visitor.listenSession();
    let created: boolean;
    try {
      ({ created } = await visitor.deps.chats.handleStart(visitor.ref, { widget: { uuid: widget.uuid, name: widget.name }, dest: entry.sipId, dn: msg.dn, visitor: visitor.context, ...(msg.email ? { email: msg.email } : {}) }));
    } catch (err) {
      await counted.giveBack();
      throw err;
    }
    // The session's open chat came back: not a new contact.
    if (!created) await counted.giveBack();
  },
  ChatMessage: (visitor, msg) => visitor.deps.chats.handleVisitorMessage(visitor.ref, msg.chat, msg.cid, msg.text),
  Typing: (visitor, msg) => visitor.deps.chats.handleVisitorTyping(visitor.ref, msg.chat, msg.typing),
  ChatEnd: (visitor, msg) => visitor.deps.chats.handleVisitorEnd(visitor.ref, msg.chat),
  OfflineMessage: async (visitor, msg) => {
    const widget = await visitor.deps.catalog.widget(visitor.uuid!);
    if (!widget) throw new WireError('unknown-widget', `no widget ${visitor.uuid}`);
    await visitor.deps.desk.handleOfflineMessage(visitor.offlineSender, widget, msg);
    visitor.conn.send({ mt: 'OfflineAck', cid: msg.cid });
  },
  ChatTranscript: async (visitor, msg) => {
    await visitor.deps.desk.handleTranscriptRequest(visitor.ref.session, msg.chat, msg.email, visitor.lang);
    visitor.conn.send({ mt: 'ChatTranscriptAck', chat: msg.chat });
  },
};

/** Before Start only Start; Start only once. */
function gate(visitor: VisitorConnection, mt: string): string | undefined {
  if (mt === 'Start') return visitor.uuid ? 'Start was already sent on this connection' : undefined;
  if (!visitor.uuid) return `send Start before ${mt}`;
  visitor.touch();
  return undefined;
}

/**
 * Serves one visitor socket. Kept small, because thousands of these live at
 * once: Infos arrive serialised from the WidgetHub, which sends only real
 * changes, so no per-visitor copy of them is kept.
 */
export class VisitorConnection implements WidgetListener {
  readonly conn: Connection;
  uuid: string | undefined;
  #origin: string | undefined;
  #token = '';
  #lang: string | undefined;
  /** the client's address (the one a trusted proxy saw), for per-address limits */
  readonly #addr: string;
  /** widget events that arrived while Start was still loading */
  #early: WidgetEvent[] | undefined = [];
  #watching = false;
  /** subscribed to the session's topic (chat traffic) */
  #session = false;
  #lastTouch = 0;
  /** when Start was answered (the offline form's minimum fill time counts from here) */
  #startedAt = 0;
  #iceTimer: { cancel(): void } | undefined;
  /** spec 14: what the agent is told about this visitor */
  context: VisitorContext;

  constructor(
    ws: WebSocket,
    req: IncomingMessage,
    readonly deps: VisitorGatewayDeps,
  ) {
    this.#origin = req.headers.origin;
    this.#addr = clientAddress(req, deps.trust);
    const ua = req.headers['user-agent'];
    this.context = ua ? { userAgent: ua.slice(0, 500) } : {};
    this.conn = new Connection(ws, deps.conn, 'visitor', this);
    this.conn.listen(topics.visitor(this.conn.id));
    this.conn.dispatch(visitorInbound, handlers, this, gate);
    deps.open.add(this);
    deps.unstarted.set(this, deps.app.clock.now());
  }

  /** Start's page and language join the browser's User-Agent (spec 14). */
  setContext(page: { url: string; title?: string | undefined } | undefined, lang: string | undefined): void {
    // Only web pages: a javascript: or data: "address" would be a link in the console.
    if (page && /^https?:\/\//i.test(page.url)) this.context.page = { url: page.url, title: page.title ?? '' };
    if (lang) this.context.lang = lang;
  }

  /** who sends an offline message: session, address, and when the widget loaded */
  get offlineSender(): { session: string; addr: string; startedAt: number } {
    return { session: this.#token, addr: this.#addr, startedAt: this.#startedAt };
  }

  /** the language the visitor's Session uses */
  lang = 'en';

  get ref(): VisitorRef {
    return { connId: this.conn.id, session: this.#token, widgetUuid: this.uuid! };
  }

  /** Start: widget, origin, session, then Session, Info×N, IceConfig, ChatHistory×N. */
  async start(uuid: string, session: string | undefined, lang: string | undefined): Promise<void> {
    // Claimed at once so that a second Start is refused even if this one fails.
    this.uuid = uuid;
    this.deps.unstarted.delete(this);
    const widget = await this.deps.catalog.widget(uuid);
    if (!widget) throw new WireError('unknown-widget', `no widget ${uuid}`);
    if (!originAllowed(widget.allowedOrigins, this.#origin)) throw new WireError('origin-not-allowed', `origin ${this.#origin?.slice(0, 200) ?? '(none)'} may not use this widget`);
    this.#token = await this.#resumeOrCreate(session, widget.uuid);
    this.#lang = lang;
    // The socket may have gone while we loaded: watch nothing then (closed() already ran).
    if (!this.conn.open) return;
    this.deps.hub.watch(widget.uuid, this);
    this.#watching = true;
    let infos: { json: string }[] = [];
    try {
      infos = await this.deps.hub.current(widget);
      this.#startedAt = this.deps.app.clock.now();
      this.lang = sessionLang(widget.lang, lang);
      this.conn.send(buildSession(widget, lang, this.#token, await sessionExtras(widget, this.deps.catalog, this.#startedAt)));
      for (const info of infos) this.conn.sendRaw(info.json);
      this.#iceTimer = sendIceAndRefresh(this.deps.app.config, this.deps.app.clock, (ice) => this.conn.send(ice), () => this.conn.open);
      const history = await this.deps.chats.visitorHistory(this.#token);
      // A resumed session may be open in other tabs too: they share its chat traffic.
      if (history.length || this.#token === session) this.listenSession();
      for (const chat of history) this.conn.send(chat);
    } finally {
      // Even after a failure, widget events flow from now on instead of piling up.
      const early = this.#early ?? [];
      this.#early = undefined;
      // Events that raced the loading: skip Infos this visitor already got as they are.
      const sent = new Set(infos.map((info) => info.json));
      for (const event of early) if (event.k !== 'info' || !sent.has(event.json)) this.widgetEvent(event);
    }
  }

  /**
   * Chat traffic of the session (all its sockets) from now on. Subscribed for
   * resumed sessions (which other tabs may share) and once a chat starts;
   * a first visit that never chats needs no subscription.
   */
  listenSession(): void {
    if (this.#session || !this.#token) return;
    this.#session = true;
    this.conn.listen(topics.vsession(this.#token));
  }

  /** A widget event from the hub: Info changes, a save, a deletion. */
  widgetEvent(ev: WidgetEvent): void {
    if (this.#early) {
      this.#early.push(ev);
      return;
    }
    if (ev.k === 'info') this.conn.sendRaw(ev.json);
    else if (ev.k === 'deleted') this.conn.error('unknown-widget', 'the widget was deleted', null);
    else if (ev.k === 'reload') {
      if (!originAllowed(ev.widget.allowedOrigins, this.#origin)) {
        this.conn.error('origin-not-allowed', 'this website may no longer use the widget', null);
        return;
      }
      const widget = ev.widget as { name: string; lang: Lang; type: 'sidebar' | 'cards'; appearance: WidgetRecord['appearance']; contact: WidgetRecord['contact']; texts?: WidgetRecord['texts'] };
      this.conn.send(buildSession({ uuid: this.uuid!, ...widget }, this.#lang, this.#token, ev.widget.extras));
      for (const id of ev.removed) this.conn.send({ mt: 'Remove', id });
      for (const info of ev.infos) this.conn.sendRaw(info.json);
    }
  }

  /** Keeps the session alive for 24 h after the last activity (at most one write a minute). */
  touch(): void {
    if (!this.#token) return;
    const now = this.deps.app.clock.now();
    if (now - this.#lastTouch < TOUCH_EVERY_MS) return;
    this.#lastTouch = now;
    this.deps.app.storage.visitorSessions.touch(this.#token, now).catch((err) => this.conn.log.warn({ err }, 'session touch failed'));
  }

  /**
   * Counts a new chat or call against this address (issue 11.5: 450 chat
   * requests from 10 sockets in 3 s); beyond the limit: `try-later`, and the
   * socket stays. The count is cluster-wide (CounterStore).
   */
  async countContact(): Promise<{ giveBack(): Promise<void> }> {
    const { counters, config } = this.deps.app;
    const max = config.contactsPerIp;
    if (max <= 0) return { giveBack: async () => {} };
    const key = `contacts:${this.#addr}`;
    const windowMs = config.contactsWindowS * 1000;
    const c = await counters.add(key, windowMs);
    if (c.n > max) {
      await counters.add(key, windowMs, -1);
      throw new WireError('try-later', `too many new chats and calls from your network; try again in ${Math.ceil(c.resetInMs / 60_000)} min`);
    }
    return { giveBack: async () => void (await counters.add(key, windowMs, -1)) };
  }

  /** No Start within the deadline: the socket only held resources. */
  startTimedOut(): void {
    this.conn.send({ mt: 'Error', code: 'bad-request', text: 'no Start was sent in time', ref: null });
    this.conn.close(CLOSE.policy, 'no Start');
  }

  /** After an outage of Redis or PostgreSQL: a chatting visitor gets its chats' histories again (and resends what is unacked). */
  catchUp(): Promise<void> {
    return this.conn.enqueue(null, async () => {
      if (!this.#session || !this.#token) return;
      for (const h of await this.deps.chats.visitorHistory(this.#token)) this.conn.send(h);
    });
  }

  /** Closes with `code` (drain). */
  close(code: number = CLOSE.restart): void {
    this.conn.close(code, 'server restart');
  }

  /** Resumes a session of this widget that is still alive, else creates a fresh one (no error). */
  async #resumeOrCreate(token: string | undefined, uuid: string): Promise<string> {
    const { storage, clock } = this.deps.app;
    const now = clock.now();
    this.#lastTouch = now;
    if (token) {
      const stored = await storage.visitorSessions.get(token);
      if (stored && stored.widgetUuid === uuid && now - stored.lastActive < LIMITS.sessionTtlMs) {
        await storage.visitorSessions.touch(token, now);
        return token;
      }
    }
    const fresh = crypto.randomBytes(24).toString('base64url');
    await storage.visitorSessions.upsert({ token: fresh, widgetUuid: uuid, lastActive: now });
    return fresh;
  }

  /** The socket closed: its call ends, it stops watching the widget. */
  closed(): void {
    this.deps.open.delete(this);
    this.deps.unstarted.delete(this);
    this.#iceTimer?.cancel();
    this.deps.calls.handleVisitorGone(this.conn.id);
    if (this.#watching && this.uuid) this.deps.hub.unwatch(this.uuid, this);
  }
}

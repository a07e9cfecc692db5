/**
 * The visitor channel, /ws/widget (spec 2 and 8): socket work only, one
 * handler per message type; the domain lives in CallManager, ChatManager,
 * PresenceService and WidgetHub.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import { CLOSE, LIMITS, visitorInbound, type Lang } from '@cw/protocol';
import type { AppContext } from '../app-deps.js';
import type { CallManager } from '../calls/call-manager.js';
import type { ChatManager, VisitorRef } from '../chat/chat-manager.js';
import type { WidgetRecord } from '../storage/types.js';
import { sendIceAndRefresh } from '../ice.js';
import type { Catalog } from '../presence/catalog.js';
import { findWidgetAgent, needMedia } from '../domain/widget-agent.js';
import { Connection, type ConnectionDeps, type Handlers } from './connection.js';
import { buildSession } from './info.js';
import { originAllowed } from './origins.js';
import { topics, type WidgetEvent } from '../domain/outbox.js';
import type { WidgetHub, WidgetListener } from './widget-hub.js';
import { WireError } from '../domain/wire-error.js';

/** What every visitor socket of a process shares. */
export interface VisitorGatewayDeps {
  app: AppContext;
  /** the open visitor sockets of this process (for drain) */
  open: Set<VisitorConnection>;
  conn: ConnectionDeps;
  catalog: Catalog;
  calls: CallManager;
  chats: ChatManager;
  hub: WidgetHub;
}

/** How often activity refreshes the visitor session's 24 h lifetime. */
const TOUCH_EVERY_MS = 60_000;

const handlers: Handlers<typeof visitorInbound, VisitorConnection> = {
  Start: (v, m) => v.start(m.uuid, m.session, m.lang),
  GetPicture: async (v, m) => {
    const { entry } = await findWidgetAgent(v.d.catalog, v.uuid!, m.id);
    v.conn.send({ mt: 'Picture', id: entry.sipId, url: entry.picture ?? '' });
  },
  CreateCall: async (v, m) => void (await v.d.calls.handleCreateCall(v.ref, { dest: m.dest, dn: m.dn, video: m.video === true })),
  Channels: (v, m) => v.d.calls.handleChannels(v.conn.id, m.sdp),
  ClearCall: (v) => v.d.calls.handleVisitorClear(v.conn.id),
  ChatStart: async (v, m) => {
    const { widget, entry } = await findWidgetAgent(v.d.catalog, v.uuid!, m.dest);
    needMedia(entry, 'chat');
    v.listenSession();
    await v.d.chats.handleStart(v.ref, { widget: { uuid: widget.uuid, name: widget.name }, dest: entry.sipId, dn: m.dn, ...(m.email ? { email: m.email } : {}) });
  },
  ChatMessage: (v, m) => v.d.chats.handleVisitorMessage(v.ref, m.chat, m.cid, m.text),
  Typing: (v, m) => v.d.chats.handleVisitorTyping(v.ref, m.chat, m.typing),
  ChatEnd: (v, m) => v.d.chats.handleVisitorEnd(v.ref, m.chat),
};

/** Before Start only Start; Start only once. */
function gate(v: VisitorConnection, mt: string): string | undefined {
  if (mt === 'Start') return v.uuid ? 'Start was already sent on this connection' : undefined;
  if (!v.uuid) return `send Start before ${mt}`;
  v.touch();
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
  /** widget events that arrived while Start was still loading */
  #early: WidgetEvent[] | undefined = [];
  #watching = false;
  /** subscribed to the session's topic (chat traffic) */
  #session = false;
  #lastTouch = 0;
  #iceTimer: { cancel(): void } | undefined;

  constructor(
    ws: WebSocket,
    req: IncomingMessage,
    readonly d: VisitorGatewayDeps,
  ) {
    this.#origin = req.headers.origin;
    this.conn = new Connection(ws, d.conn, 'visitor', this);
    this.conn.listen(topics.visitor(this.conn.id));
    this.conn.dispatch(visitorInbound, handlers, this, gate);
    d.open.add(this);
  }

  get ref(): VisitorRef {
    return { connId: this.conn.id, session: this.#token, widgetUuid: this.uuid! };
  }

  /** Start: widget, origin, session, then Session, Info×N, IceConfig, ChatHistory×N. */
  async start(uuid: string, session: string | undefined, lang: string | undefined): Promise<void> {
    // Claimed at once so that a second Start is refused even if this one fails.
    this.uuid = uuid;
    const w = await this.d.catalog.widget(uuid);
    if (!w) throw new WireError('unknown-widget', `no widget ${uuid}`);
    if (!originAllowed(w.allowedOrigins, this.#origin)) throw new WireError('origin-not-allowed', `origin ${this.#origin?.slice(0, 200) ?? '(none)'} may not use this widget`);
    this.#token = await this.#resumeOrCreate(session, w.uuid);
    this.#lang = lang;
    // The socket may have gone while we loaded: watch nothing then (closed() already ran).
    if (!this.conn.open) return;
    this.d.hub.watch(w.uuid, this);
    this.#watching = true;
    let infos: { json: string }[] = [];
    try {
      infos = await this.d.hub.current(w);
      this.conn.send(buildSession(w, lang, this.#token));
      for (const e of infos) this.conn.sendRaw(e.json);
      this.#iceTimer = sendIceAndRefresh(this.d.app.config, this.d.app.clock, (ice) => this.conn.send(ice), () => this.conn.open);
      const history = await this.d.chats.visitorHistory(this.#token);
      // A resumed session may be open in other tabs too: they share its chat traffic.
      if (history.length || this.#token === session) this.listenSession();
      for (const h of history) this.conn.send(h);
    } finally {
      // Even after a failure, widget events flow from now on instead of piling up.
      const early = this.#early ?? [];
      this.#early = undefined;
      // Events that raced the loading: skip Infos this visitor already got as they are.
      const sent = new Set(infos.map((e) => e.json));
      for (const ev of early) if (ev.k !== 'info' || !sent.has(ev.json)) this.widgetEvent(ev);
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
      const w = ev.widget as { name: string; lang: Lang; type: 'sidebar' | 'cards'; appearance: WidgetRecord['appearance']; contact: WidgetRecord['contact'] };
      this.conn.send(buildSession({ uuid: this.uuid!, ...w }, this.#lang, this.#token));
      for (const id of ev.removed) this.conn.send({ mt: 'Remove', id });
      for (const e of ev.infos) this.conn.sendRaw(e.json);
    }
  }

  /** Keeps the session alive for 24 h after the last activity (at most one write a minute). */
  touch(): void {
    if (!this.#token) return;
    const now = this.d.app.clock.now();
    if (now - this.#lastTouch < TOUCH_EVERY_MS) return;
    this.#lastTouch = now;
    this.d.app.storage.visitorSessions.touch(this.#token, now).catch((err) => this.conn.log.warn({ err }, 'session touch failed'));
  }

  /** Closes with `code` (drain). */
  close(code: number = CLOSE.restart): void {
    this.conn.close(code, 'server restart');
  }

  /** Resumes a session of this widget that is still alive, else creates a fresh one (no error). */
  async #resumeOrCreate(token: string | undefined, uuid: string): Promise<string> {
    const { storage, clock } = this.d.app;
    const now = clock.now();
    this.#lastTouch = now;
    if (token) {
      const s = await storage.visitorSessions.get(token);
      if (s && s.widgetUuid === uuid && now - s.lastActive < LIMITS.sessionTtlMs) {
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
    this.d.open.delete(this);
    this.#iceTimer?.cancel();
    this.d.calls.handleVisitorGone(this.conn.id);
    if (this.#watching && this.uuid) this.d.hub.unwatch(this.uuid, this);
  }
}

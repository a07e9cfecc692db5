/**
 * The visitor channel, /ws/widget (spec 2 and 8): socket work only, one
 * handler per message type; the domain lives in CallManager, ChatManager,
 * PresenceService and WidgetHub.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import { CLOSE, LIMITS, visitorInbound, type InfoMsg, type Lang, type Media, type WidgetAgent } from '@cw/protocol';
import type { AppDeps } from '../app.js';
import type { CallManager, CallVerdict } from '../calls/CallManager.js';
import type { ChatManager, VisitorRef } from '../chat/ChatManager.js';
import type { WidgetRecord } from '../storage/types.js';
import { buildIceConfig, iceRefreshDelay } from '../ice.js';
import { resolveAgent, type PresenceView } from '../presence/availability.js';
import { Connection, type Handlers } from './connection.js';
import { buildSession } from './info.js';
import { originAllowed } from './origins.js';
import { topics, type WidgetEvent } from './outbox.js';
import type { WidgetHub } from './widget-hub.js';
import { WireError } from './wire-error.js';

export interface VisitorGatewayDeps {
  app: Required<AppDeps>;
  calls: CallManager;
  chats: ChatManager;
  presence: PresenceView;
  hub: WidgetHub;
}

/** How often activity refreshes the visitor session's 24 h lifetime. */
const TOUCH_EVERY_MS = 60_000;

/** Serves one visitor socket. */
export class VisitorConnection {
  readonly conn: Connection;
  #uuid: string | undefined;
  #token = '';
  #lang: string | undefined;
  /** Info last sent per agent id, so that only changes go out */
  #sent = new Map<string, string>();
  #ready = false;
  #early: WidgetEvent[] = [];
  #lastTouch = 0;
  #iceTimer: { cancel(): void } | undefined;

  constructor(
    ws: WebSocket,
    private readonly req: IncomingMessage,
    private readonly d: VisitorGatewayDeps,
  ) {
    const { app } = d;
    this.conn = new Connection(ws, { bus: app.bus, clock: app.clock, logger: app.logger.child({ module: 'visitor-gateway' }), ratePerSecond: app.config.ratePerSecond, rateBurst: app.config.rateBurst }, 'visitor');
    this.conn.subscribeDeliveries(topics.visitor(this.conn.id));
    this.conn.dispatch(visitorInbound, this.#handlers, (mt) => {
      if (mt === 'Start') return this.#uuid ? 'Start was already sent on this connection' : undefined;
      if (!this.#uuid) return `send Start before ${mt}`;
      this.#touch();
      return undefined;
    });
    this.conn.onClose(() => this.#closed());
  }

  get #ref(): VisitorRef {
    return { connId: this.conn.id, session: this.#token, widgetUuid: this.#uuid! };
  }

  #handlers: Handlers<typeof visitorInbound> = {
    Start: async (m) => {
      const { storage, clock } = this.d.app;
      // Claimed at once so that a second Start is refused even while this one loads.
      this.#uuid = m.uuid;
      const w = await storage.widgets.get(m.uuid);
      if (!w) throw new WireError('unknown-widget', `no widget ${m.uuid}`);
      const origin = this.req.headers.origin;
      if (!originAllowed(w.allowedOrigins, origin)) throw new WireError('origin-not-allowed', `origin ${origin ?? '(none)'} may not use this widget`);
      this.#token = await this.#resumeOrCreate(m.session, w.uuid);
      this.#lang = m.lang;
      this.conn.subscribe(topics.widget(w.uuid), (ev) => this.#widgetEvent(ev as WidgetEvent));
      this.conn.subscribeDeliveries(topics.vsession(this.#token));
      const infos = await this.d.hub.infos(w);
      this.d.hub.join(w.uuid, infos);
      this.#joined = true;
      this.conn.send(buildSession(w, m.lang, this.#token));
      for (const info of infos) this.#sendInfo(info, true);
      this.#sendIce(clock.now());
      for (const h of await this.d.chats.visitorHistory(this.#token)) this.conn.send(h);
      this.#ready = true;
      for (const ev of this.#early.splice(0)) this.#widgetEvent(ev);
    },
    GetPicture: async (m) => {
      const entry = await this.#entry(m.id);
      this.conn.send({ mt: 'Picture', id: entry.sipId, url: entry.picture ?? '' });
    },
    CreateCall: (m) => this.#callStep(() => this.#createCall(m)),
    Channels: (m) => this.#callStep(() => this.#channels(m.sdp)),
    ClearCall: () => this.d.calls.handleVisitorClear(this.conn.id),
    ChatStart: async (m) => {
      const { w, entry } = await this.#widgetEntry(m.dest);
      this.#needMedia(entry, 'chat');
      await this.d.chats.handleStart(this.#ref, { widget: { uuid: w.uuid, name: w.name }, dest: entry.sipId, dn: m.dn, ...(m.email ? { email: m.email } : {}) });
    },
    ChatMessage: (m) => this.d.chats.handleVisitorMessage(this.#ref, m.chat, m.cid, m.text),
    Typing: (m) => this.d.chats.handleVisitorTyping(this.#ref, m.chat, m.typing),
    ChatEnd: (m) => this.d.chats.handleVisitorEnd(this.#ref, m.chat),
  };

  /** Runs a call step; an unexpected failure ends the call with cause "error" so the widget does not hang. */
  async #callStep(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof WireError)) this.d.calls.handleFailure(this.conn.id);
      throw err;
    }
  }

  async #createCall(m: { dest: string; dn: string; video?: boolean }): Promise<void> {
    const video = m.video === true;
    if (this.d.calls.hasCall(this.conn.id)) throw new WireError('call-in-progress', 'a call is already in progress on this connection');
    const { w, entry } = await this.#widgetEntry(m.dest);
    this.#needMedia(entry, 'voice');
    if (video) this.#needMedia(entry, 'video');
    const r = await resolveAgent(this.d.app.storage, this.d.presence, entry);
    const verdict: CallVerdict =
      entry.availability === 'always' ? 'ring' : r.visible === 'online' ? 'ring' : r.visible === 'busy' ? 'busy' : 'unavailable';
    this.d.calls.handleCreateCall(this.conn.id, { widget: { uuid: w.uuid, name: w.name }, dest: entry.sipId, dn: m.dn, video }, verdict);
  }

  async #channels(sdp: string): Promise<void> {
    const pending = this.d.calls.pendingCall(this.conn.id);
    if (!pending) throw new WireError('no-call', this.d.calls.hasCall(this.conn.id) ? 'the call already has its SDP offer' : 'there is no call on this connection');
    const w = await this.d.app.storage.widgets.get(pending.widgetUuid);
    const entry = w?.agents.find((a) => a.sipId === pending.dest);
    const ring = entry ? (await resolveAgent(this.d.app.storage, this.d.presence, entry)).ringUserIds : [];
    this.d.calls.handleChannels(this.conn.id, sdp, ring);
  }

  #joined = false;

  /** Resumes a session of this widget that is still alive, else creates a fresh one (no error). */
  async #resumeOrCreate(token: string | undefined, uuid: string): Promise<string> {
    const { storage, clock } = this.d.app;
    const now = clock.now();
    if (token) {
      const s = await storage.visitorSessions.get(token);
      if (s && s.widgetUuid === uuid && now - s.lastActive < LIMITS.sessionTtlMs) {
        await storage.visitorSessions.touch(token, now);
        this.#lastTouch = now;
        return token;
      }
    }
    const fresh = crypto.randomBytes(24).toString('base64url');
    await storage.visitorSessions.upsert({ token: fresh, widgetUuid: uuid, lastActive: now });
    this.#lastTouch = now;
    return fresh;
  }

  async #widgetEntry(id: string): Promise<{ w: WidgetRecord; entry: WidgetAgent }> {
    const w = await this.d.app.storage.widgets.get(this.#uuid!);
    if (!w) throw new WireError('unknown-widget', 'the widget was deleted');
    const entry = w.agents.find((a) => a.sipId === id);
    if (!entry) throw new WireError('unknown-agent', `${JSON.stringify(id.slice(0, 100))} is not an agent of this widget`);
    return { w, entry };
  }

  async #entry(id: string): Promise<WidgetAgent> {
    return (await this.#widgetEntry(id)).entry;
  }

  #needMedia(entry: WidgetAgent, m: Media): void {
    if (!entry.media.includes(m)) throw new WireError('media-not-allowed', `${entry.sipId} cannot be reached by ${m}`);
  }

  #sendInfo(info: InfoMsg, force = false): void {
    const json = JSON.stringify(info);
    if (!force && this.#sent.get(info.id) === json) return;
    this.#sent.set(info.id, json);
    this.conn.send(info);
  }

  #sendIce(now: number): void {
    const ice = buildIceConfig(this.d.app.config, now);
    this.conn.send(ice);
    const delay = iceRefreshDelay(ice, now);
    if (delay !== undefined && this.conn.open) this.#iceTimer = this.d.app.clock.setTimeout(() => this.#sendIce(this.d.app.clock.now()), delay);
  }

  #widgetEvent(ev: WidgetEvent): void {
    if (!this.#ready) {
      this.#early.push(ev);
      return;
    }
    if (ev.k === 'info') this.#sendInfo(ev.msg);
    else if (ev.k === 'deleted') this.conn.error('unknown-widget', 'the widget was deleted', null);
    else if (ev.k === 'reload') {
      if (!originAllowed(ev.widget.allowedOrigins, this.req.headers.origin)) {
        this.conn.error('origin-not-allowed', 'this website may no longer use the widget', null);
        return;
      }
      const w = ev.widget as { name: string; lang: Lang; type: 'sidebar' | 'cards'; appearance: WidgetRecord['appearance']; contact: WidgetRecord['contact'] };
      this.conn.send(buildSession({ uuid: this.#uuid!, ...w }, this.#lang, this.#token));
      const ids = new Set(ev.infos.map((i) => i.id));
      for (const id of [...this.#sent.keys()])
        if (!ids.has(id)) {
          this.#sent.delete(id);
          this.conn.send({ mt: 'Remove', id });
        }
      for (const info of ev.infos) this.#sendInfo(info, true);
    }
  }

  /** Keeps the session alive for 24 h after the last activity (at most one write a minute). */
  #touch(force = false): void {
    if (!this.#token) return;
    const now = this.d.app.clock.now();
    if (!force && now - this.#lastTouch < TOUCH_EVERY_MS) return;
    this.#lastTouch = now;
    this.d.app.storage.visitorSessions.touch(this.#token, now).catch((err) => this.conn.log.warn({ err }, 'session touch failed'));
  }

  #closed(): void {
    this.#iceTimer?.cancel();
    this.d.calls.handleVisitorGone(this.conn.id);
    if (this.#joined && this.#uuid) this.d.hub.leave(this.#uuid);
  }

  /** Closes with `code` (drain). */
  close(code: number = CLOSE.restart): void {
    this.conn.close(code, 'server restart');
  }
}

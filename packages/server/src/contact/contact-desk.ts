/**
 * What happens when nobody answers (spec 11): offline messages from the
 * widget's form, missed calls and chat requests, and chat transcripts by
 * mail. It takes input through `handle*` methods and activity, writes to
 * storage, queues mails in the durable outbox, and never touches a socket.
 */
import type { Logger } from 'pino';
import type { Activity, ActivityEvent } from '../domain/activity.js';
import type { Clock } from '../clock.js';
import type { CounterStore } from '../limits/counter-store.js';
import type { Storage, WidgetRecord } from '../storage/types.js';
import { WireError } from '../domain/wire-error.js';
import { offlineMail, transcriptMail } from '../mail/templates.js';

export interface DeskConfig {
  offlinePerSession: number;
  offlinePerIp: number;
  offlineWindowS: number;
  offlineMinFillS: number;
}

export interface ContactDeskDeps {
  storage: Storage;
  clock: Clock;
  counters: CounterStore;
  activity: Activity;
  logger: Logger;
  config: DeskConfig;
  /** a mail was queued: wake the sender (wherever it runs) */
  onMailQueued: () => void;
}

export interface OfflineInput {
  cid: string;
  name?: string | undefined;
  email: string;
  text: string;
  consent?: boolean | undefined;
  hp?: string | undefined;
}

/** Who sent it: the visitor's session, address, and when their widget loaded. */
export interface OfflineSender {
  session: string;
  addr: string;
  startedAt: number;
}

/** Call causes that mean nobody took the call (a visitor who hangs up quickly is not a missed call). */
const MISSED_CALL_CAUSES = new Set(['no-answer', 'rejected', 'busy', 'unavailable']);

export class ContactDesk {
  #pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: ContactDeskDeps) {}

  /** Listens to activity: missed calls and chats, transcripts of ended chats. Returns the unsubscribe function. */
  listen(): () => void {
    return this.deps.activity.on((ev) => this.#track(this.#onActivity(ev)));
  }

  /** Waits for the work started by activity (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    p.catch((err) => this.deps.logger.error({ err }, 'contact desk failed')).finally(() => this.#pending.delete(p));
  }

  /** OfflineMessage: checked, limited, stored (and mailed); resolves when stored, so the ack can follow. */
  async handleOfflineMessage(from: OfflineSender, widget: WidgetRecord, msg: OfflineInput): Promise<void> {
    const { storage, clock, config } = this.deps;
    const offline = widget.offline ?? { enabled: true, consentText: '', notify: [] };
    if (!offline.enabled) throw new WireError('offline-disabled', 'this widget takes no messages');
    if (offline.consentText && msg.consent !== true) throw new WireError('bad-request', 'consent must be true: the visitor has to agree to the consent text');
    const now = clock.now();
    // The honeypot field is hidden from people (and from screen readers): whatever fills it is a robot. It is
    // told "stored" so that it learns nothing, and nothing is stored.
    if (msg.hp) {
      this.deps.logger.info({ widget: widget.uuid }, 'offline message dropped (honeypot)');
      return;
    }
    if (config.offlineMinFillS > 0 && now - from.startedAt < config.offlineMinFillS * 1000) throw new WireError('too-fast', 'the form was sent too quickly; please send it again');
    await this.#limit(from);
    const consent = offline.consentText ? msg.consent === true : false;
    const record = await storage.transaction(async (tx) => {
      const { record } = await tx.missed.add({
        kind: 'offline',
        ref: null,
        widgetUuid: widget.uuid,
        widgetName: widget.name,
        agent: null,
        name: (msg.name ?? '').trim(),
        email: msg.email,
        text: msg.text,
        consent,
        ts: now,
      });
      if (offline.notify.length) {
        const mail = offlineMail(widget.lang, { widget: widget.name, name: record.name, email: record.email, text: record.text, consentText: offline.consentText, consent });
        await tx.mail.enqueue({ kind: 'offline', to: offline.notify, replyTo: msg.email, ...mail });
      }
      return record;
    });
    if (offline.notify.length) this.deps.onMailQueued();
    this.deps.activity.emit({
      t: 'offline.message',
      ts: now,
      id: record.id,
      data: { id: record.id, widget: { uuid: widget.uuid, name: widget.name }, name: record.name, email: record.email, text: record.text, consent },
    });
  }

  /** Per session and per address within the window (cluster-wide through the CounterStore). */
  async #limit(from: OfflineSender): Promise<void> {
    const { counters, config } = this.deps;
    const windowMs = config.offlineWindowS * 1000;
    const checks: [string, number][] = [
      [`offline:s:${from.session}`, config.offlinePerSession],
      [`offline:ip:${from.addr}`, config.offlinePerIp],
    ];
    const taken: string[] = [];
    for (const [key, max] of checks) {
      if (max <= 0) continue;
      const c = await counters.add(key, windowMs);
      taken.push(key);
      if (c.n > max) {
        for (const k of taken) await counters.add(k, windowMs, -1);
        throw new WireError('try-later', `too many messages; try again in ${Math.max(1, Math.ceil(c.resetInMs / 60_000))} min`);
      }
    }
  }

  /** ChatTranscript from a visitor: their own chat only; mailed once the chat has ended. */
  async handleTranscriptRequest(session: string, chatId: string, email: string, lang: string): Promise<void> {
    const chat = await this.deps.storage.chats.get(chatId);
    if (!chat || chat.visitorSession !== session) throw new WireError('unknown-chat', `no chat ${chatId} of yours`);
    await this.requestTranscript(chatId, email, lang);
  }

  /** Records a transcript request (visitor or console); a chat already closed is mailed at once. */
  async requestTranscript(chatId: string, email: string, lang: string): Promise<void> {
    const { storage, clock } = this.deps;
    await storage.transcripts.add(chatId, email, lang, clock.now());
    const chat = await storage.chats.get(chatId);
    if (chat?.state === 'closed') await this.queueTranscripts(chatId);
  }

  /** Queues the mails of a closed chat's pending transcript requests (idempotent: each request is queued once). */
  async queueTranscripts(chatId: string): Promise<void> {
    const { storage, clock } = this.deps;
    const chat = await storage.chats.get(chatId);
    if (!chat || chat.state !== 'closed') return;
    const pending = await storage.transcripts.pending(chatId);
    if (!pending.length) return;
    const widget = await storage.widgets.get(chat.widgetUuid);
    const messages = await storage.chats.listMessages(chatId);
    let queued = 0;
    for (const req of pending) {
      const mail = transcriptMail(req.lang, { widget: widget?.name ?? '', lines: messages.map((m) => ({ from: m.from, dn: m.dn, text: m.text, ts: m.ts })) });
      const done = await storage.transaction(async (tx) => {
        // Queued by another process meanwhile: once is enough.
        if (!(await tx.transcripts.pending(chatId)).some((p) => p.email === req.email)) return false;
        await tx.mail.enqueue({ kind: 'transcript', to: [req.email], replyTo: widget?.contact?.email ?? '', ...mail });
        await tx.transcripts.markQueued(chatId, req.email, clock.now());
        return true;
      });
      if (done) queued++;
    }
    if (queued) this.deps.onMailQueued();
  }

  /** After a restart: transcripts of chats that closed while their mail was not queued yet. */
  async recover(): Promise<void> {
    for (const chatId of await this.deps.storage.transcripts.pendingChats()) await this.queueTranscripts(chatId);
  }

  async #onActivity(ev: ActivityEvent): Promise<void> {
    const { storage } = this.deps;
    if (ev.t === 'call.ended') {
      if (ev.answeredAt !== null || !MISSED_CALL_CAUSES.has(ev.cause)) return;
      await storage.missed.add({
        kind: 'call',
        ref: `call:${ev.call.id}`,
        widgetUuid: ev.call.widget.uuid,
        widgetName: ev.call.widget.name,
        agent: ev.call.dest,
        name: ev.call.visitor.dn,
        email: '',
        text: ev.call.video ? 'video call' : 'voice call',
        consent: false,
        ts: ev.call.startedAt,
      });
    } else if (ev.t === 'chat.ended') {
      const chat = await storage.chats.get(ev.chat);
      if (chat && chat.acceptedAt === null && chat.agentUserId === null) {
        const first = (await storage.chats.listMessages(chat.id)).filter((m) => m.from === 'visitor').map((m) => m.text);
        const widget = await storage.widgets.get(chat.widgetUuid);
        await storage.missed.add({
          kind: 'chat',
          ref: `chat:${chat.id}`,
          widgetUuid: chat.widgetUuid,
          widgetName: widget?.name ?? '',
          agent: chat.dest,
          name: chat.visitorDn,
          email: chat.visitorEmail,
          text: first.join('\n').slice(0, 4000),
          consent: false,
          ts: chat.createdAt,
        });
      }
      await this.queueTranscripts(ev.chat);
    }
  }
}

/**
 * Chats between a visitor session and agents (spec 2.3, 3 and 8). Every
 * message is stored before it is acknowledged; state lives in storage, so an
 * accepted chat survives a restart. Outputs leave through the Outbox; the
 * only in-process state is the timers that close unanswered requests.
 *
 * Cluster mode will need: the wait timers owned by one process (e.g. a
 * Redis lock per chat, or a periodic sweep of listWaiting()); everything
 * else already goes through storage and the bus.
 */
import type { ChatHistoryMsg, ChatInfoMsg, ChatMessageMsg, ChatOfferMsg, VisitorContext } from '@cw/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { StorageConflictError, type ChatMessageRecord, type ChatRecord, type Storage } from '../storage/types.js';
import type { Outbox } from '../domain/outbox.js';
import { WireError } from '../domain/wire-error.js';
import { targetUserIds } from '../presence/directory.js';
import type { Catalog } from '../domain/widget-directory-cache.js';
import type { Activity } from '../domain/activity.js';

/** A visitor socket and the session it belongs to. */
export interface VisitorRef {
  connId: string;
  session: string;
  widgetUuid: string;
}

/** An agent console. */
export interface AgentRef {
  userId: string;
  consoleId: string;
  sipId: string;
  dn: string;
}

/**
 * Chats that reach an agent's phone (spec 9, SIP MESSAGE): told what happens
 * so that it can carry it to the phone. Set by the phone bridge.
 */
export interface ChatPhoneLink {
  offered(chat: ChatRecord, widget: { uuid: string; name: string }): void;
  visitorMessage(chat: ChatRecord, message: ChatMessageRecord): void;
  closed(chat: ChatRecord, by: 'visitor' | 'agent' | 'system'): void;
}

export interface ChatManagerDeps {
  storage: Pick<Storage, 'chats'>;
  /** widgets and the directory, possibly cached */
  catalog: Catalog;
  clock: Clock;
  waitTimeoutMs: number;
  outbox: Outbox;
  presence: { presence(userId: string): string };
  logger: Logger;
  /** where chat.started / accepted / message / ended go (webhooks, metrics listen there) */
  activity?: Pick<Activity, 'emit'>;
}

export interface NewChat {
  widget: { uuid: string; name: string };
  dest: string;
  dn: string;
  email?: string;
  /** spec 14: page, language and browser of the visitor */
  visitor?: VisitorContext | undefined;
}

/** A stored message as the wire ChatMessage; `cid` only on the sender's own echo. */
export function chatMessageMsg(m: ChatMessageRecord, withCid = false): ChatMessageMsg {
  const msg: ChatMessageMsg = { mt: 'ChatMessage', chat: m.chatId, id: m.id, from: m.from, dn: m.dn, text: m.text, ts: m.ts };
  if (withCid) msg.cid = m.cid;
  return msg;
}

/** Earlier conversations of the visitor shown with an offer. */
const EARLIER_SHOWN = 5;

export class ChatManager {
  #timers = new Map<string, { cancel(): void }>();
  #stopped = false;
  /** the tail of the accepts running per chat */
  #accepting = new Map<string, Promise<void>>();
  /** the phone side, when the phone system is wired in */
  phoneLink?: ChatPhoneLink;

  constructor(private readonly deps: ChatManagerDeps) {}

  /** Re-arms the wait timers of chats that were waiting before a restart. */
  /**
   * Re-arms the wait timers of chats that were waiting before a restart. In a
   * cluster (`armAll: false`) each process arms only the chats it starts, and
   * the holder of the sweep lease closes the rest (sweepWaiting).
   */
  async start(o: { armAll?: boolean } = {}): Promise<void> {
    if (o.armAll === false) return;
    const now = this.deps.clock.now();
    for (const c of await this.deps.storage.chats.listWaiting()) this.#arm(c.id, c.createdAt + this.deps.waitTimeoutMs - now);
  }

  /** Closes (by system) every waiting chat whose wait has timed out, wherever it was started. */
  async sweepWaiting(): Promise<void> {
    const now = this.deps.clock.now();
    for (const c of await this.deps.storage.chats.listWaiting()) if (c.createdAt + this.deps.waitTimeoutMs <= now) await this.#expire(c.id);
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
  }

  /** Visitor ChatStart (agent and media already checked): stored as waiting, offered to the agent's consoles. */
  async handleStart(v: VisitorRef, req: NewChat): Promise<{ chat: ChatRecord; created: boolean }> {
    let chat: ChatRecord;
    try {
      chat = await this.deps.storage.chats.create({
        widgetUuid: req.widget.uuid,
        visitorSession: v.session,
        visitorDn: req.dn,
        visitorEmail: req.email ?? '',
        dest: req.dest,
        createdAt: this.deps.clock.now(),
        visitor: req.visitor && Object.keys(req.visitor).length ? req.visitor : undefined,
      });
    } catch (err) {
      // One open chat per visitor session and destination (a unique index): a repeated request gets that chat again.
      if (!(err instanceof StorageConflictError)) throw err;
      const open = (await this.deps.storage.chats.listOpenForVisitor(v.session)).find((c) => c.dest === req.dest);
      if (!open) throw err;
      const info: ChatInfoMsg =
        open.state === 'accepted'
          ? { mt: 'ChatInfo', chat: open.id, state: 'accepted', ...(open.agentDn ? { agentDn: open.agentDn } : {}) }
          : { mt: 'ChatInfo', chat: open.id, state: 'waiting' };
      this.deps.outbox.toVisitorSession(v.session, info);
      return { chat: open, created: false };
    }
    this.deps.activity?.emit({ t: 'chat.started', ts: chat.createdAt, chat: chat.id });
    this.deps.outbox.toVisitorSession(v.session, { mt: 'ChatInfo', chat: chat.id, state: 'waiting' });
    const offer = await this.#offer(chat, req.widget);
    for (const userId of await this.#offerTargets(chat.dest)) this.deps.outbox.toUser(userId, offer);
    this.#arm(chat.id, this.deps.waitTimeoutMs);
    this.deps.logger.info({ chat: chat.id, widget: chat.widgetUuid, dest: chat.dest }, 'chat requested');
    this.phoneLink?.offered(chat, req.widget);
    return { chat, created: true };
  }

  /**
   * Agent ChatAccept: atomic (compare-and-set in storage); the winner gets the
   * history, everyone else offered gets "taken". Accepts of one chat also run
   * one after another in this process, so the first to arrive wins even when
   * the database would let a later one overtake it.
   */
  handleAccept(a: AgentRef, chatId: string): Promise<void> {
    const prev = this.#accepting.get(chatId) ?? Promise.resolve();
    const next = prev.then(
      () => this.#accept(a, chatId),
      () => this.#accept(a, chatId),
    );
    const tail = next.catch(() => undefined);
    this.#accepting.set(chatId, tail);
    void tail.then(() => {
      if (this.#accepting.get(chatId) === tail) this.#accepting.delete(chatId);
    });
    return next;
  }

  /**
   * The name the visitor knows the agent by: the widget entry's display name
   * when the chat was addressed to this user directly (so the chat says
   * "Bobby" where the card says "Bobby"); a group member answers with their own.
   */
  async #dnOnWidget(a: AgentRef, chat: ChatRecord): Promise<AgentRef> {
    if (chat.dest !== a.sipId) return a;
    const w = await this.deps.catalog.widget(chat.widgetUuid);
    const dn = w?.agents.find((e) => e.sipId === a.sipId)?.displayName?.trim();
    return dn ? { ...a, dn } : a;
  }

  async #accept(agent: AgentRef, chatId: string): Promise<void> {
    const chat = await this.#chatForAgent(agent, chatId, true);
    const a = chat.state === 'waiting' ? await this.#dnOnWidget(agent, chat) : agent;
    const at = this.deps.clock.now();
    if (chat.state === 'waiting' && (await this.deps.storage.chats.accept(chat.id, a.userId, a.dn, at))) {
      this.#disarm(chat.id);
      this.deps.activity?.emit({ t: 'chat.accepted', ts: at, chat: chat.id, agentUserId: a.userId });
      this.deps.logger.info({ chat: chat.id, agent: a.userId }, 'chat accepted');
      const accepted: ChatInfoMsg = { mt: 'ChatInfo', chat: chat.id, state: 'accepted', agent: a.sipId, agentDn: a.dn };
      this.deps.outbox.toConsole(a.consoleId, accepted);
      const widget = await this.#widgetOf(chat.widgetUuid);
      const messages = await this.deps.storage.chats.listMessages(chat.id);
      this.deps.outbox.toConsole(a.consoleId, {
        mt: 'ChatHistory',
        chat: chat.id,
        state: 'accepted',
        messages: messages.map((m) => chatMessageMsg(m)),
        from: this.#from(chat),
        widget,
        agent: a.sipId,
        agentDn: a.dn,
      });
      this.deps.outbox.toVisitorSession(chat.visitorSession, accepted);
      const taken: ChatInfoMsg = { mt: 'ChatInfo', chat: chat.id, state: 'taken' };
      for (const userId of new Set([a.userId, ...(await this.#allTargets(chat.dest))])) this.deps.outbox.toUser(userId, taken, a.consoleId);
      return;
    }
    const now = (await this.deps.storage.chats.get(chat.id)) ?? chat;
    if (now.state === 'closed') throw new WireError('unknown-chat', 'the chat is closed');
    this.deps.outbox.toConsole(a.consoleId, { mt: 'ChatInfo', chat: chat.id, state: 'taken' });
  }

  /** Visitor ChatMessage: stored, acked, echoed to the visitor's other sockets and delivered once accepted. */
  async handleVisitorMessage(v: VisitorRef, chatId: string, cid: string, text: string): Promise<void> {
    const chat = await this.#chatForVisitor(v, chatId);
    const { rec, fresh } = await this.#store(chat, 'visitor', chat.visitorDn, cid, text);
    this.deps.outbox.toVisitor(v.connId, { mt: 'ChatAck', chat: chat.id, cid, id: rec.id, ts: rec.ts });
    if (!fresh) return;
    this.deps.outbox.toVisitorSession(chat.visitorSession, chatMessageMsg(rec, true), v.connId);
    // Before an agent accepts, messages wait in storage and arrive with the ChatHistory of the accept.
    if (chat.state === 'accepted' && chat.agentUserId) this.deps.outbox.toUser(chat.agentUserId, chatMessageMsg(rec));
    else if (chat.state === 'waiting') {
      // Spec 14: the agents offered the chat read what the visitor writes before they accept (the offer again, with the messages so far).
      const offer = await this.#offerWithMessages(chat, await this.#widgetOf(chat.widgetUuid));
      for (const userId of await this.#offerTargets(chat.dest)) this.deps.outbox.toUser(userId, offer);
    }
    this.phoneLink?.visitorMessage(chat, rec);
  }

  /**
   * A reply from an agent's phone (SIP MESSAGE) to a chat the phone link chose:
   * the first reply accepts a waiting chat (compare-and-set, like ChatAccept),
   * then it is stored and delivered like a console's message. `cid` makes a
   * repeated SIP request harmless. Resolves false when the chat is no longer
   * the phone's to answer.
   */
  async handlePhoneReply(agent: { userId: string; sipId: string; dn: string }, chatId: string, cid: string, text: string): Promise<boolean> {
    let chat = await this.deps.storage.chats.get(chatId);
    if (!chat || chat.state === 'closed') return false;
    if (chat.state === 'waiting') {
      const a = await this.#dnOnWidget({ ...agent, consoleId: '' }, chat);
      const at = this.deps.clock.now();
      if (await this.deps.storage.chats.accept(chat.id, a.userId, a.dn, at)) {
        this.#disarm(chat.id);
        this.deps.logger.info({ chat: chat.id, agent: a.userId, via: 'phone' }, 'chat accepted');
        this.deps.activity?.emit({ t: 'chat.accepted', ts: at, chat: chat.id, agentUserId: a.userId });
        this.deps.outbox.toVisitorSession(chat.visitorSession, { mt: 'ChatInfo', chat: chat.id, state: 'accepted', agent: a.sipId, agentDn: a.dn });
        const taken: ChatInfoMsg = { mt: 'ChatInfo', chat: chat.id, state: 'taken' };
        for (const userId of new Set([a.userId, ...(await this.#allTargets(chat.dest))])) this.deps.outbox.toUser(userId, taken);
      }
      chat = (await this.deps.storage.chats.get(chatId)) ?? chat;
    }
    if (chat.state !== 'accepted' || chat.agentUserId !== agent.userId) return false;
    const { rec, fresh } = await this.#store(chat, 'agent', chat.agentDn ?? agent.dn, cid, text);
    if (fresh) {
      this.deps.outbox.toUser(agent.userId, chatMessageMsg(rec));
      this.deps.outbox.toVisitorSession(chat.visitorSession, chatMessageMsg(rec));
    }
    return true;
  }

  /** Agent ChatMessage on an accepted chat of theirs. */
  async handleAgentMessage(a: AgentRef, chatId: string, cid: string, text: string): Promise<void> {
    const chat = await this.#chatForAgent(a, chatId, false);
    const { rec, fresh } = await this.#store(chat, 'agent', chat.agentDn ?? a.dn, cid, text);
    this.deps.outbox.toConsole(a.consoleId, { mt: 'ChatAck', chat: chat.id, cid, id: rec.id, ts: rec.ts });
    if (!fresh) return;
    this.deps.outbox.toUser(a.userId, chatMessageMsg(rec, true), a.consoleId);
    this.deps.outbox.toVisitorSession(chat.visitorSession, chatMessageMsg(rec));
  }

  /** Typing from the visitor, relayed to the accepting agent's consoles (not stored). */
  async handleVisitorTyping(v: VisitorRef, chatId: string, typing: boolean): Promise<void> {
    const chat = await this.#chatForVisitor(v, chatId);
    if (chat.state === 'accepted' && chat.agentUserId) this.deps.outbox.toUser(chat.agentUserId, { mt: 'Typing', chat: chat.id, typing });
  }

  /** Typing from an agent, relayed to the visitor. */
  async handleAgentTyping(a: AgentRef, chatId: string, typing: boolean): Promise<void> {
    const chat = await this.#chatForAgent(a, chatId, false);
    this.deps.outbox.toVisitorSession(chat.visitorSession, { mt: 'Typing', chat: chat.id, typing });
  }

  /** Visitor ChatEnd. */
  async handleVisitorEnd(v: VisitorRef, chatId: string): Promise<void> {
    await this.#close(await this.#chatForVisitor(v, chatId), 'visitor');
  }

  /** Agent ChatEnd (an accepted chat of theirs). */
  async handleAgentEnd(a: AgentRef, chatId: string): Promise<void> {
    await this.#close(await this.#chatForAgent(a, chatId, false), 'agent');
  }

  /** ChatHistory for each open chat of a resumed visitor session. */
  async visitorHistory(session: string): Promise<ChatHistoryMsg[]> {
    const out: ChatHistoryMsg[] = [];
    for (const chat of await this.deps.storage.chats.listOpenForVisitor(session)) {
      const msgs = await this.deps.storage.chats.listMessages(chat.id);
      const h: ChatHistoryMsg = { mt: 'ChatHistory', chat: chat.id, state: chat.state, messages: msgs.map((m) => chatMessageMsg(m)) };
      if (chat.state === 'accepted' && chat.agentUserId) {
        const agent = await this.deps.catalog.user(chat.agentUserId);
        h.agent = agent?.sipId ?? chat.dest;
        h.agentDn = chat.agentDn ?? agent?.displayName ?? '';
      }
      out.push(h);
    }
    return out;
  }

  /** What a (re)connecting console needs: its accepted open chats and the offers still waiting for it. */
  async agentRestore(a: AgentRef): Promise<(ChatHistoryMsg | ChatOfferMsg)[]> {
    const out: (ChatHistoryMsg | ChatOfferMsg)[] = [];
    for (const chat of await this.deps.storage.chats.listOpenForAgent(a.userId)) {
      if (chat.state !== 'accepted') continue;
      const msgs = await this.deps.storage.chats.listMessages(chat.id);
      out.push({
        mt: 'ChatHistory',
        chat: chat.id,
        state: 'accepted',
        messages: msgs.map((m) => chatMessageMsg(m)),
        from: this.#from(chat),
        widget: await this.#widgetOf(chat.widgetUuid),
        agent: a.sipId,
        agentDn: chat.agentDn ?? a.dn,
        ...(chat.visitor ? { visitor: chat.visitor } : {}),
      });
    }
    for (const chat of await this.deps.storage.chats.listWaiting())
      if ((await this.#allTargets(chat.dest)).includes(a.userId)) out.push(await this.#offerWithMessages(chat, await this.#widgetOf(chat.widgetUuid)));
    return out;
  }

  /** A user was deleted or lost the agent role: their open chats end (by system) so that no visitor waits for them. */
  async handleUserRevoked(userId: string): Promise<void> {
    for (const chat of await this.deps.storage.chats.listOpenForAgent(userId)) {
      try {
        await this.#close(chat, 'system');
      } catch (err) {
        if (!(err instanceof WireError)) throw err;
      }
    }
  }

  /** A user came online: waiting requests to their groups are offered to them too (consoles ignore repeats). */
  async handleUserOnline(userId: string): Promise<void> {
    for (const chat of await this.deps.storage.chats.listWaiting()) {
      const t = await this.deps.catalog.directory(chat.dest);
      if (t.kind === 'group' && t.members.some((m) => m.id === userId)) this.deps.outbox.toUser(userId, await this.#offerWithMessages(chat, await this.#widgetOf(chat.widgetUuid)));
    }
  }

  // ------------------------------------------------------------ internals

  /** Stores a message; a retry of one already stored (same sender and cid) is not fresh: acked again, not relayed. */
  async #store(chat: ChatRecord, from: 'visitor' | 'agent', dn: string, cid: string, text: string): Promise<{ rec: ChatMessageRecord; fresh: boolean }> {
    const { message, inserted } = await this.deps.storage.chats.appendMessage({ chatId: chat.id, from, dn, text, ts: this.deps.clock.now(), cid });
    if (inserted) this.deps.activity?.emit({ t: 'chat.message', ts: message.ts, chat: chat.id, from });
    return { rec: message, fresh: inserted };
  }

  async #close(chat: ChatRecord, by: 'visitor' | 'agent' | 'system'): Promise<void> {
    const at = this.deps.clock.now();
    if (!(await this.deps.storage.chats.close(chat.id, by, at))) throw new WireError('unknown-chat', 'the chat is already closed');
    this.deps.activity?.emit({ t: 'chat.ended', ts: at, chat: chat.id, by });
    this.#disarm(chat.id);
    this.deps.logger.info({ chat: chat.id, by }, 'chat closed');
    const closed: ChatInfoMsg = { mt: 'ChatInfo', chat: chat.id, state: 'closed', by };
    this.deps.outbox.toVisitorSession(chat.visitorSession, closed);
    this.phoneLink?.closed(chat, by);
    if (chat.state === 'accepted' && chat.agentUserId) this.deps.outbox.toUser(chat.agentUserId, closed);
    else for (const userId of await this.#allTargets(chat.dest)) this.deps.outbox.toUser(userId, closed);
  }

  async #chatForVisitor(v: VisitorRef, chatId: string): Promise<ChatRecord> {
    const chat = await this.deps.storage.chats.get(chatId);
    if (!chat || chat.visitorSession !== v.session || chat.widgetUuid !== v.widgetUuid) throw new WireError('unknown-chat', 'no such chat of yours');
    if (chat.state === 'closed') throw new WireError('unknown-chat', 'the chat is closed');
    return chat;
  }

  /** An open chat the agent may act on: accepted by them, or (forAccept) offered to them. */
  async #chatForAgent(a: AgentRef, chatId: string, forAccept: boolean): Promise<ChatRecord> {
    const chat = await this.deps.storage.chats.get(chatId);
    if (!chat) throw new WireError('unknown-chat', 'no such chat');
    const mine = chat.agentUserId === a.userId;
    if (!mine && !(forAccept && (await this.#allTargets(chat.dest)).includes(a.userId))) throw new WireError('unknown-chat', 'no such chat of yours');
    if (chat.state === 'closed') throw new WireError('unknown-chat', 'the chat is closed');
    if (!forAccept && chat.state !== 'accepted') throw new WireError('unknown-chat', 'accept the chat first');
    return chat;
  }

  /** Everyone who may take a chat to `dest`: the user, or every member of the group. */
  async #allTargets(dest: string): Promise<string[]> {
    return targetUserIds(await this.deps.catalog.directory(dest));
  }

  /** Who gets the offer now: the user, or the group's online members. */
  async #offerTargets(dest: string): Promise<string[]> {
    const t = await this.deps.catalog.directory(dest);
    if (t.kind === 'group') return t.members.filter((m) => this.deps.presence.presence(m.id) === 'online').map((m) => m.id);
    return targetUserIds(t);
  }

  async #offer(chat: ChatRecord, widget: { uuid: string; name: string }): Promise<ChatOfferMsg> {
    const offer: ChatOfferMsg = { mt: 'ChatOffer', chat: chat.id, from: this.#from(chat), widget, dest: chat.dest };
    if (chat.visitor) offer.visitor = chat.visitor;
    // Spec 14: earlier conversations of the same visitor session (newest first).
    const earlier = (await this.deps.storage.chats.listClosedForVisitor(chat.visitorSession, EARLIER_SHOWN)).filter((c) => c.id !== chat.id);
    if (earlier.length) offer.earlier = earlier.map((c) => ({ chat: c.id, ts: c.createdAt, agentDn: c.agentDn, answered: c.acceptedAt !== null || c.agentUserId !== null }));
    return offer;
  }

  /** An offer repeated later (reconnect, a member coming online): with what the visitor already wrote, so the agent reads it before accepting. */
  async #offerWithMessages(chat: ChatRecord, widget: { uuid: string; name: string }): Promise<ChatOfferMsg> {
    const offer = await this.#offer(chat, widget);
    const msgs = await this.deps.storage.chats.listMessages(chat.id);
    if (msgs.length) offer.messages = msgs.map((m) => chatMessageMsg(m));
    return offer;
  }

  #from(chat: ChatRecord): { dn: string; email?: string } {
    return chat.visitorEmail ? { dn: chat.visitorDn, email: chat.visitorEmail } : { dn: chat.visitorDn };
  }

  async #widgetOf(uuid: string): Promise<{ uuid: string; name: string }> {
    const w = await this.deps.catalog.widget(uuid);
    return { uuid, name: w?.name ?? '' };
  }

  #arm(chatId: string, ms: number): void {
    if (this.#stopped) return;
    this.#disarm(chatId);
    this.#timers.set(
      chatId,
      this.deps.clock.setTimeout(() => {
        this.#timers.delete(chatId);
        void this.#expire(chatId);
      }, Math.max(0, ms)),
    );
  }

  #disarm(chatId: string): void {
    this.#timers.get(chatId)?.cancel();
    this.#timers.delete(chatId);
  }

  async #expire(chatId: string): Promise<void> {
    if (this.#stopped) return;
    try {
      const chat = await this.deps.storage.chats.get(chatId);
      if (chat?.state === 'waiting') await this.#close(chat, 'system');
    } catch (err) {
      // Another process (or the visitor) closed it first: nothing left to do.
      if (err instanceof WireError) return;
      this.deps.logger.error({ err, chatId }, 'could not close an unanswered chat');
    }
  }
}

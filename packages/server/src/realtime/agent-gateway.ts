/**
 * The agent channel, /ws/agent (spec 3 and 8): authenticates, then one
 * handler per message type; calls, chats and presence are the domain's.
 */
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import { CLOSE, agentInbound, type PresenceMsg } from '@cw/protocol';
import type { AppContext } from '../app-deps.js';
import { authenticate, extractCredentials, stillValid, type Authenticated } from '../auth/credentials.js';
import type { HeldCredentials } from '../auth/revocation.js';
import type { AgentCalls } from '../cluster/call-router.js';
import type { AgentRef, ChatManager } from '../chat/chat-manager.js';
import type { PresenceService } from '../presence/presence-service.js';
import type { UserRecord } from '../storage/types.js';
import { fromTrustedProxy, trustFunction, type TrustFn } from '../http/proxy-trust.js';
import { sendIceAndRefresh } from '../ice.js';
import { Connection, type ConnectionDeps, type Handlers } from './connection.js';
import { topics } from '../domain/outbox.js';
import { WireError } from '../domain/wire-error.js';

export interface AgentGatewayDeps {
  app: AppContext;
  /** the open agent sockets of this process (for drain and revocation) */
  open: Set<AgentConnection>;
  conn: ConnectionDeps;
  /** the CallManager, or in a cluster a router that hands calls of other processes to their owner */
  calls: AgentCalls;
  chats: ChatManager;
  presence: PresenceService;
  /** how often an open console re-checks its credentials (a missed revocation event, an expired session) */
  recheckMs: number;
}

/** True when a cookie-authenticated upgrade comes from this server's own origin (or a non-browser without Origin). */
export function cookieOriginOk(req: IncomingMessage, publicUrl: string | undefined, trust: TrustFn): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  // The nearest proxy's value (the last one), and only when the peer is a trusted proxy, as Fastify's req.host does.
  const fwd = fromTrustedProxy(req, trust) ? String(req.headers['x-forwarded-host'] ?? '').split(',').pop()!.trim() : '';
  const own = [req.headers.host, fwd].filter(Boolean);
  if (publicUrl) {
    try {
      own.push(new URL(publicUrl).host);
    } catch {
      /* a bad PUBLIC_URL only disables this comparison */
    }
  }
  return own.includes(host);
}

const handlers: Handlers<typeof agentInbound, AgentConnection> = {
  SetPresence: (agent, msg) => agent.setPresence(msg.presence),
  AcceptCall: (agent, msg) => agent.deps.calls.handleAccept(agent.conn.id, msg.call, msg.sdp),
  RejectCall: (agent, msg) => agent.deps.calls.handleReject(agent.conn.id, msg.call),
  ClearCall: (agent, msg) => agent.deps.calls.handleAgentClear(agent.conn.id, msg.call),
  ChatAccept: (agent, msg) => agent.deps.chats.handleAccept(agent.ref, msg.chat),
  ChatMessage: (agent, msg) => agent.deps.chats.handleAgentMessage(agent.ref, msg.chat, msg.cid, msg.text),
  Typing: (agent, msg) => agent.deps.chats.handleAgentTyping(agent.ref, msg.chat, msg.typing),
  ChatEnd: (agent, msg) => agent.deps.chats.handleAgentEnd(agent.ref, msg.chat),
};

/** Nothing but the authentication runs before Welcome. */
function signedIn(agent: AgentConnection): string | undefined {
  return agent.user ? undefined : 'not signed in';
}

/** Serves one agent console. */
export class AgentConnection {
  readonly conn: Connection;
  #user: UserRecord | undefined;
  #iceTimer: { cancel(): void } | undefined;
  #registered = false;
  #auth: Authenticated | undefined;
  #authTimer: { cancel(): void } | undefined;

  constructor(
    ws: WebSocket,
    req: IncomingMessage,
    readonly deps: AgentGatewayDeps,
  ) {
    this.conn = new Connection(ws, deps.conn, 'agent', this);
    deps.open.add(this);
    // Frames that arrive while we authenticate wait in the queue behind this.
    void this.conn.enqueue(null, () => this.#welcome(req));
    this.conn.dispatch(agentInbound, handlers, this, signedIn);
  }

  get userId(): string | undefined {
    return this.#user?.id;
  }

  get user(): UserRecord | undefined {
    return this.#user;
  }

  /** The credentials this console was opened with (matched against revocation events). */
  get held(): HeldCredentials | undefined {
    const a = this.#auth;
    return a && { userId: a.user.id, sessionId: a.sessionId, tokenId: a.tokenId };
  }

  get ref(): AgentRef {
    const user = this.#user!;
    return { userId: user.id, consoleId: this.conn.id, sipId: user.sipId, dn: user.displayName || user.username };
  }

  async #welcome(req: IncomingMessage): Promise<void> {
    const { storage, clock } = this.deps.app;
    const auth = await authenticate(storage, extractCredentials({ cookie: req.headers.cookie, authorization: req.headers.authorization }, req.url), clock.now());
    if (!auth) throw new WireError('unauthorized', 'sign in first: session cookie, Bearer token or ?token=');
    // The browser sends the session cookie on a WebSocket opened by any site; only our own pages may use it.
    if (auth.via === 'session' && !cookieOriginOk(req, this.deps.app.config.publicUrl, trustFunction(this.deps.app.config.trustProxy)))
      throw new WireError('unauthorized', 'the session cookie is not accepted from this origin; use a token');
    if (!auth.user.roles.includes('agent')) throw new WireError('forbidden', 'this user does not have the agent role');
    // The socket may have gone while we looked the credentials up: register nothing then.
    if (!this.conn.open) return;
    const user = auth.user;
    this.#user = user;
    this.#auth = auth;
    this.#scheduleRecheck(clock.now());
    this.conn.listen(topics.console(this.conn.id));
    this.conn.listen(topics.user(user.id));
    this.deps.presence.handleConsoleConnected(user.id, this.conn.id);
    this.#registered = true;
    const agent = this.ref;
    this.conn.send({ mt: 'Welcome', user: { id: user.id, sipId: user.sipId, dn: agent.dn, roles: [...user.roles] }, presence: this.deps.presence.presence(user.id) });
    this.#iceTimer = sendIceAndRefresh(this.deps.app.config, clock, (ice) => this.conn.send(ice), () => this.conn.open);
    for (const msg of await this.deps.chats.agentRestore(agent)) this.conn.send(msg);
  }

  /** SetPresence: stored and announced; an unchanged value is confirmed to this console alone. */
  async setPresence(presence: PresenceMsg['presence']): Promise<void> {
    const userId = this.#user!.id;
    if (!(await this.deps.presence.handleSetPresence(userId, presence, 'console'))) {
      const msg: PresenceMsg = { mt: 'Presence', presence: this.deps.presence.presence(userId), visible: this.deps.presence.visible(userId) };
      this.conn.send(msg);
    }
  }

  /** After an outage of Redis or PostgreSQL: what this console may have missed (chats, offers, presence) is sent again; it resends what is unacked. */
  catchUp(): Promise<void> {
    return this.conn.enqueue(null, async () => {
      if (!this.#registered || !this.#user) return;
      const userId = this.#user.id;
      this.conn.send({ mt: 'Presence', presence: this.deps.presence.presence(userId), visible: this.deps.presence.visible(userId) });
      for (const m of await this.deps.chats.agentRestore(this.ref)) this.conn.send(m);
    });
  }

  /**
   * Re-checks the credentials at the session's expiry or after `recheckMs`,
   * whichever comes first: the revocation event is the fast path, this is
   * what holds when an event was missed and when a session simply expires.
   */
  #scheduleRecheck(now: number): void {
    const a = this.#auth;
    if (!a || !this.conn.open) return;
    const untilExpiry = a.expiresAt !== undefined ? Math.max(0, a.expiresAt - now) : Infinity;
    this.#authTimer = this.deps.app.clock.setTimeout(() => void this.#recheck(), Math.min(untilExpiry, this.deps.recheckMs));
  }

  async #recheck(): Promise<void> {
    const a = this.#auth;
    if (!a || !this.conn.open) return;
    const now = this.deps.app.clock.now();
    let ok: boolean;
    try {
      ok = await stillValid(this.deps.app.storage, a, now);
    } catch (err) {
      // Storage unreachable: keep the console, try again later.
      this.conn.log.warn({ err }, 'credential re-check failed');
      ok = true;
    }
    if (!ok) this.revoke(a.via === 'session' && a.expiresAt !== undefined && a.expiresAt <= now ? 'your session expired; sign in again' : 'your access was revoked');
    else this.#scheduleRecheck(now);
  }

  /** The user lost access: the console is told and closed. */
  revoke(reason = 'your access was revoked'): void {
    this.conn.error('unauthorized', reason, null);
  }

  close(code: number = CLOSE.restart): void {
    this.conn.close(code, 'server restart');
  }

  /** The socket closed: its calls end, presence may fall after the grace period. */
  closed(): void {
    this.deps.open.delete(this);
    this.#iceTimer?.cancel();
    this.#authTimer?.cancel();
    if (!this.#registered || !this.#user) return;
    this.deps.calls.handleConsoleGone(this.conn.id);
    this.deps.presence.handleConsoleDisconnected(this.#user.id, this.conn.id);
  }
}

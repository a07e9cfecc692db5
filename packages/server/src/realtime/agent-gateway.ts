/**
 * The agent channel, /ws/agent (spec 3 and 8): authenticates, then one
 * handler per message type; calls, chats and presence are the domain's.
 */
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import { CLOSE, agentInbound, type PresenceMsg } from '@cw/protocol';
import type { AppContext } from '../app-deps.js';
import { authenticate, extractCredentials } from '../auth/credentials.js';
import type { CallManager } from '../calls/call-manager.js';
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
  calls: CallManager;
  chats: ChatManager;
  presence: PresenceService;
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
  SetPresence: (a, m) => a.setPresence(m.presence),
  AcceptCall: (a, m) => a.d.calls.handleAccept(a.conn.id, m.call, m.sdp),
  RejectCall: (a, m) => a.d.calls.handleReject(a.conn.id, m.call),
  ClearCall: (a, m) => a.d.calls.handleAgentClear(a.conn.id, m.call),
  ChatAccept: (a, m) => a.d.chats.handleAccept(a.ref, m.chat),
  ChatMessage: (a, m) => a.d.chats.handleAgentMessage(a.ref, m.chat, m.cid, m.text),
  Typing: (a, m) => a.d.chats.handleAgentTyping(a.ref, m.chat, m.typing),
  ChatEnd: (a, m) => a.d.chats.handleAgentEnd(a.ref, m.chat),
};

/** Nothing but the authentication runs before Welcome. */
function signedIn(a: AgentConnection): string | undefined {
  return a.user ? undefined : 'not signed in';
}

/** Serves one agent console. */
export class AgentConnection {
  readonly conn: Connection;
  #user: UserRecord | undefined;
  #iceTimer: { cancel(): void } | undefined;
  #registered = false;

  constructor(
    ws: WebSocket,
    req: IncomingMessage,
    readonly d: AgentGatewayDeps,
  ) {
    this.conn = new Connection(ws, d.conn, 'agent', this);
    d.open.add(this);
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

  get ref(): AgentRef {
    const u = this.#user!;
    return { userId: u.id, consoleId: this.conn.id, sipId: u.sipId, dn: u.displayName || u.username };
  }

  async #welcome(req: IncomingMessage): Promise<void> {
    const { storage, clock } = this.d.app;
    const auth = await authenticate(storage, extractCredentials({ cookie: req.headers.cookie, authorization: req.headers.authorization }, req.url), clock.now());
    if (!auth) throw new WireError('unauthorized', 'sign in first: session cookie, Bearer token or ?token=');
    // The browser sends the session cookie on a WebSocket opened by any site; only our own pages may use it.
    if (auth.via === 'session' && !cookieOriginOk(req, this.d.app.config.publicUrl, trustFunction(this.d.app.config.trustProxy)))
      throw new WireError('unauthorized', 'the session cookie is not accepted from this origin; use a token');
    if (!auth.user.roles.includes('agent')) throw new WireError('forbidden', 'this user does not have the agent role');
    // The socket may have gone while we looked the credentials up: register nothing then.
    if (!this.conn.open) return;
    const user = auth.user;
    this.#user = user;
    this.conn.listen(topics.console(this.conn.id));
    this.conn.listen(topics.user(user.id));
    this.d.presence.handleConsoleConnected(user.id, this.conn.id);
    this.#registered = true;
    const a = this.ref;
    this.conn.send({ mt: 'Welcome', user: { id: user.id, sipId: user.sipId, dn: a.dn, roles: [...user.roles] }, presence: this.d.presence.presence(user.id) });
    this.#iceTimer = sendIceAndRefresh(this.d.app.config, clock, (ice) => this.conn.send(ice), () => this.conn.open);
    for (const m of await this.d.chats.agentRestore(a)) this.conn.send(m);
  }

  /** SetPresence: stored and announced; an unchanged value is confirmed to this console alone. */
  async setPresence(presence: PresenceMsg['presence']): Promise<void> {
    const userId = this.#user!.id;
    if (!(await this.d.presence.handleSetPresence(userId, presence, 'console'))) {
      const msg: PresenceMsg = { mt: 'Presence', presence: this.d.presence.presence(userId), visible: this.d.presence.visible(userId) };
      this.conn.send(msg);
    }
  }

  /** The user lost access: the console is told and closed. */
  revoke(): void {
    this.conn.error('unauthorized', 'your access was revoked', null);
  }

  close(code: number = CLOSE.restart): void {
    this.conn.close(code, 'server restart');
  }

  /** The socket closed: its calls end, presence may fall after the grace period. */
  closed(): void {
    this.d.open.delete(this);
    this.#iceTimer?.cancel();
    if (!this.#registered || !this.#user) return;
    this.d.calls.handleConsoleGone(this.conn.id);
    this.d.presence.handleConsoleDisconnected(this.#user.id, this.conn.id);
  }
}

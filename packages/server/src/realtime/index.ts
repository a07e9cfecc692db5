/**
 * WebSocket gateways (spec sections 2 and 3) and the realtime domain they
 * drive, wired together: presence, calls, chats, widget updates. Domain
 * events reach sockets only through the bus (see outbox.ts).
 *
 * Cluster mode (REDIS_URL) will need, beyond a Redis bus: a shared console
 * registry and presence/in-call state (PresenceService), call state owned by
 * the visitor's process (CallManager), single-owner chat wait timers
 * (ChatManager) and per-process widget refreshes (WidgetHub). Each of those
 * files says what. Until then one process serves all sockets.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE, LIMITS } from '@cw/protocol';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-deps.js';
import { DOMAIN_TOPIC, type DomainEvent } from '../bus/types.js';
import { CallManager } from '../calls/call-manager.js';
import { consoleTargets } from '../calls/call-targets.js';
import { ChatManager } from '../chat/chat-manager.js';
import { PresenceService } from '../presence/presence-service.js';
import { CachedCatalog } from '../presence/catalog.js';
import { AgentConnection } from './agent-gateway.js';
import { busOutbox } from '../domain/outbox.js';
import { VisitorConnection } from './visitor-gateway.js';
import { WidgetHub } from './widget-hub.js';
import { PhoneCalls } from '../phone/phone-calls.js';
import { PhoneChats } from '../phone/phone-chats.js';
import { PhonePresenceWatch } from '../phone/phone-presence.js';

export interface Realtime {
  /** Stops accepting sockets and closes open ones with 1012 (service restart) so clients reconnect. */
  drain(): Promise<void>;
  /** The domain services, for tests and for other modules of the server. */
  readonly presence: PresenceService;
  readonly calls: CallManager;
  readonly chats: ChatManager;
}

const PATHS = { '/ws/widget': 'visitor', '/ws/agent': 'agent' } as const;

export async function registerRealtime(app: FastifyInstance, deps: AppContext): Promise<Realtime> {
  const log = deps.logger.child({ module: 'realtime' });
  const { config, clock, bus, storage } = deps;
  const outbox = busOutbox(bus);
  const catalog = new CachedCatalog(storage, clock);

  const presence = new PresenceService({ storage, clock, graceMs: config.presenceGraceS * 1000, logger: deps.logger.child({ module: 'presence' }) });
  await presence.init();
  // The phone system (spec 9): calls may ring phones, chats go by SIP MESSAGE, phones' presence comes from the PBX.
  const phone = app.phone;
  const phoneLog = deps.logger.child({ module: 'phone-system' });
  const phoneCalls = new PhoneCalls(phone.connector, phoneLog);
  const calls = new CallManager({
    clock,
    ringTimeoutMs: config.ringTimeoutS * 1000,
    outbox,
    targets: consoleTargets({ catalog, presence, phone }),
    presence,
    callLog: storage.calls,
    logger: deps.logger.child({ module: 'calls' }),
    phones: phoneCalls,
  });
  phoneCalls.sink = calls;
  const chats = new ChatManager({ storage, catalog, clock, waitTimeoutMs: config.chatWaitTimeoutS * 1000, outbox, presence, logger: deps.logger.child({ module: 'chat' }) });
  await chats.start();
  const phoneChats = new PhoneChats({ phone, chats, catalog, storage, logger: phoneLog });
  chats.phoneLink = phoneChats;
  const phoneWatch = new PhonePresenceWatch({ phone, storage, presence, logger: phoneLog });
  const offApplied = phone.onApplied(() => void phoneWatch.sync());
  const hub = new WidgetHub({ catalog, presence, bus, logger: deps.logger.child({ module: 'widget-hub' }) });
  const connDeps = { bus, clock, ratePerSecond: config.ratePerSecond, rateBurst: config.rateBurst };
  const visitors = new Set<VisitorConnection>();
  const agents = new Set<AgentConnection>();
  const visitorDeps = { app: deps, open: visitors, conn: { ...connDeps, logger: deps.logger.child({ module: 'visitor-gateway' }) }, catalog, calls, chats, hub };
  const agentDeps = { app: deps, open: agents, conn: { ...connDeps, logger: deps.logger.child({ module: 'agent-gateway' }) }, calls, chats, presence };

  // Visitor sessions live 24 h after the last activity; expired ones are swept hourly.
  let sweepTimer: { cancel(): void } | undefined;
  const sweep = () => {
    storage.visitorSessions
      .deleteOlderThan(clock.now() - LIMITS.sessionTtlMs)
      .catch((err) => log.warn({ err }, 'visitor session sweep failed'));
    sweepTimer = clock.setTimeout(sweep, 60 * 60 * 1000);
  };
  sweepTimer = clock.setTimeout(sweep, 60 * 1000);

  presence.onChange((c) => {
    outbox.toUser(c.userId, { mt: 'Presence', presence: c.presence, visible: c.visible });
    void hub.handlePresence(c.userId);
    // After this turn: the widgets' fan-out of the change starts first, the storage query of waiting chats can wait a moment.
    if (c.presenceChanged && c.presence === 'online')
      setImmediate(() => chats.handleUserOnline(c.userId).catch((err) => log.error({ err }, 'could not offer waiting chats')));
  });

  const offDomain = bus.subscribe(DOMAIN_TOPIC, (raw) => {
    const ev = raw as DomainEvent;
    if (!ev || typeof ev !== 'object') return;
    // Stale cache entries go first, so that what follows reads fresh data.
    catalog.handleDomainEvent(ev);
    const run = async () => {
      switch (ev?.t) {
        case 'widget-updated':
          return hub.reload(ev.uuid);
        case 'widget-deleted':
          return hub.deleted(ev.uuid);
        case 'flag-changed':
          return hub.handleFlag();
        case 'directory-changed':
          // Reach or SIP-IDs may have changed: which phones are watched follows.
          void phoneWatch.sync();
          return hub.refreshAll();
        case 'phone-system-changed':
          // Saved by another process: this one applies the stored settings too.
          if (ev.origin !== phone.processId) await phone.reload();
          return;
        case 'presence-api':
          // Already stored by the API; this applies it to live state.
          return presence.handleExternalPresence(ev.userId, ev.presence, 'api');
        case 'user-revoked':
          for (const a of agents) if (a.userId === ev.userId) a.revoke();
          await chats.handleUserRevoked(ev.userId);
          return hub.refreshAll();
      }
    };
    run().catch((err) => log.error({ err, ev }, 'domain event failed'));
  });

  // clientTracking off: the gateways keep their own sets; ws's second Set of every socket only costs memory.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
  let draining = false;

  // Module-level so that it does not keep each upgrade's request alive for the socket's lifetime.
  const onSocketError = (err: Error) => log.debug({ err }, 'upgrade socket error');
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0] as keyof typeof PATHS;
    const channel = PATHS[path];
    if (!channel || draining) {
      socket.destroy();
      return;
    }
    socket.on('error', onSocketError);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      try {
        if (channel === 'visitor') new VisitorConnection(ws, req, visitorDeps);
        else new AgentConnection(ws, req, agentDeps);
      } catch (err) {
        log.error({ err }, 'could not set up a socket');
        ws.terminate();
      }
    });
  };
  app.server.on('upgrade', onUpgrade);

  let drained: Promise<void> | undefined;
  const drain = () =>
    (drained ??= (async () => {
      draining = true;
      app.server.off('upgrade', onUpgrade);
      offDomain();
      offApplied();
      phoneWatch.close();
      phoneChats.close();
      // Timers first, so that closing consoles does not start presence grace periods.
      presence.stop();
      chats.stop();
      sweepTimer?.cancel();
      const all = [...visitors, ...agents];
      const closed = all.map((c) => new Promise<void>((r) => (c.conn.ws.readyState === c.conn.ws.CLOSED ? r() : c.conn.ws.once('close', () => r()))));
      for (const c of all) c.close(CLOSE.restart);
      // A peer that never answers the close handshake is cut off.
      const cut = setTimeout(() => all.forEach((c) => c.conn.ws.terminate()), 3000);
      await Promise.all(closed);
      clearTimeout(cut);
      await Promise.allSettled(all.map((c) => c.conn.idle()));
      await calls.stop();
      hub.stop();
      await new Promise<void>((r) => wss.close(() => r()));
    })());
  app.addHook('onClose', async () => {
    await drain();
  });

  return { drain, presence, calls, chats };
}

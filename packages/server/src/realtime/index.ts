/**
 * WebSocket gateways (spec sections 2 and 3) and the realtime domain they
 * drive, wired together: presence, calls, chats, widget updates. Domain
 * events reach sockets only through the bus (see outbox.ts).
 *
 * Cluster mode (REDIS_URL, `deps.cluster`): presence is shared between the
 * processes, agent call inputs go to the process owning the call, the
 * widget fan-out stays in each process (it computes the same Infos from the
 * same presence) — see cluster/realtime-cluster.ts and docs/scaling.md.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE, LIMITS } from '@cw/protocol';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-deps.js';
import { DOMAIN_TOPIC, type DomainEvent } from '../bus/types.js';
import { CREDENTIALS_TOPIC, revokes, type CredentialsRevoked } from '../auth/revocation.js';
import { CallManager } from '../calls/call-manager.js';
import { consoleTargets } from '../calls/call-targets.js';
import { ChatManager } from '../chat/chat-manager.js';
import { PresenceService } from '../presence/presence-service.js';
import { WidgetDirectoryCache } from '../domain/widget-directory-cache.js';
import { AgentConnection } from './agent-gateway.js';
import { busOutbox } from '../domain/outbox.js';
import { VisitorConnection } from './visitor-gateway.js';
import { WidgetHub } from './widget-hub.js';
import { PhoneCalls } from '../phone/phone-calls.js';
import { PhoneChats } from '../phone/phone-chats.js';
import { PhonePresenceWatch } from '../phone/phone-presence.js';
import { Heartbeat } from './heartbeat.js';
import { ConnectionCap } from '../http/connection-cap.js';
import { trustFunction } from '../http/proxy-trust.js';
import { listenPresence, presenceShare, wireCluster, type RealtimeCluster } from '../cluster/realtime-cluster.js';

export interface Realtime {
  /** Stops accepting sockets and closes open ones with 1012 (service restart) so clients reconnect. */
  drain(): Promise<void>;
  /** The domain services, for tests and for other modules of the server. */
  readonly presence: PresenceService;
  readonly calls: CallManager;
  readonly chats: ChatManager;
  /** pings and the Start deadline */
  readonly heartbeat: Heartbeat;
  /** open sockets of this process (a metric) */
  sockets(): { visitors: number; agents: number };
}

const PATHS = { '/ws/widget': 'visitor', '/ws/agent': 'agent' } as const;

export async function registerRealtime(app: FastifyInstance, deps: AppContext): Promise<Realtime> {
  const log = deps.logger.child({ module: 'realtime' });
  const { config, clock, bus, storage } = deps;
  const outbox = busOutbox(bus);
  const catalog = new WidgetDirectoryCache(storage, clock);

  const cluster = deps.cluster;
  const presence = new PresenceService({
    storage,
    clock,
    graceMs: config.presenceGraceS * 1000,
    logger: deps.logger.child({ module: 'presence' }),
    ...(cluster ? { share: presenceShare(cluster, bus) } : {}),
  });
  // In a cluster the other processes' changes are heard from before the snapshot is read.
  const offPresence = cluster ? listenPresence(bus, presence) : () => {};
  await presence.init();
  // The phone system (spec 9): calls may ring phones, chats go by SIP MESSAGE, phones' presence comes from the PBX.
  const phone = app.phone;
  const phoneLog = deps.logger.child({ module: 'phone-system' });
  const phoneCalls = new PhoneCalls(phone.connector, phoneLog);
  const calls = new CallManager({
    clock,
    ...(cluster ? { idPrefix: cluster.node, records: cluster.records } : {}),
    ringTimeoutMs: config.ringTimeoutS * 1000,
    outbox,
    targets: consoleTargets({ catalog, presence, phone }),
    presence,
    callLog: storage.calls,
    logger: deps.logger.child({ module: 'calls' }),
    activity: deps.activity,
    phones: phoneCalls,
  });
  phoneCalls.sink = calls;
  const chats = new ChatManager({
    storage,
    catalog,
    clock,
    waitTimeoutMs: config.chatWaitTimeoutS * 1000,
    outbox,
    presence,
    logger: deps.logger.child({ module: 'chat' }),
    activity: deps.activity,
  });
  await chats.start({ armAll: !cluster });
  const phoneChats = new PhoneChats({ phone, chats, catalog, storage, logger: phoneLog, ...(cluster ? { bus } : {}) });
  chats.phoneLink = phoneChats;
  const phoneWatch = new PhonePresenceWatch({ phone, storage, presence, logger: phoneLog });
  const offApplied = phone.onApplied(() => void phoneWatch.sync());
  const hub = new WidgetHub({ catalog, presence, bus, logger: deps.logger.child({ module: 'widget-hub' }), now: () => deps.clock.now() });
  const agentRecheckMs = config.authRecheckS * 1000;
  const metrics = app.hasDecorator('metrics') ? app.metrics : undefined;
  // Bound once the cluster side is wired (below); a message that failed for an outage makes the sockets catch up later.
  let noteOutage = () => {};
  const connDeps = {
    onUnavailable: () => noteOutage(),
    bus,
    clock,
    ratePerSecond: config.ratePerSecond,
    rateBurst: config.rateBurst,
    ...(metrics ? { onRejected: metrics.frameRejected } : {}),
  };
  const visitors = new Set<VisitorConnection>();
  const unstarted = new Map<VisitorConnection, number>();
  const agents = new Set<AgentConnection>();
  const visitorDeps = { app: deps, open: visitors, unstarted, trust: trustFunction(config.trustProxy), conn: { ...connDeps, logger: deps.logger.child({ module: 'visitor-gateway' }) }, catalog, calls, chats, hub, desk: app.contact };
  const clustered: RealtimeCluster | undefined = cluster
    ? wireCluster({
        cluster,
        bus,
        outbox,
        presence,
        calls,
        chats,
        storage,
        logger: deps.logger.child({ module: 'cluster' }),
        // After Redis was away: fresh widget data and Infos, and every open chat's history to its sockets.
        async catchUp() {
          catalog.reset();
          await hub.refreshAll();
          await Promise.allSettled([...[...visitors].map((v) => v.catchUp()), ...[...agents].map((a) => a.catchUp())]);
        },
      })
    : undefined;
  if (clustered) noteOutage = () => clustered.noteOutage();
  const agentDeps = { app: deps, open: agents, conn: { ...connDeps, logger: deps.logger.child({ module: 'agent-gateway' }) }, calls: clustered?.router ?? calls, chats, presence, recheckMs: agentRecheckMs };

  // Visitor sessions live 24 h after the last activity; expired ones are swept hourly.
  let sweepTimer: { cancel(): void } | undefined;
  const sweep = () => {
    storage.visitorSessions
      .deleteOlderThan(clock.now() - LIMITS.sessionTtlMs)
      .catch((err) => log.warn({ err }, 'visitor session sweep failed'));
    sweepTimer = clock.setTimeout(sweep, 60 * 60 * 1000);
  };
  sweepTimer = clock.setTimeout(sweep, 60 * 1000);

  presence.onChange((change) => {
    // A change made by another process: that process told the user's consoles, reported the activity and
    // offered the waiting chats; here only the widgets of this process update.
    if (!change.remote) {
      outbox.toUser(change.userId, { mt: 'Presence', presence: change.presence, visible: change.visible });
      deps.activity.emit({ t: 'presence.changed', ts: clock.now(), userId: change.userId, presence: change.presence, visible: change.visible });
    }
    void hub.handlePresence(change.userId);
    // After this turn: the widgets' fan-out of the change starts first, the storage query of waiting chats can wait a moment.
    if (change.presenceChanged && change.presence === 'online' && !change.remote)
      setImmediate(() => chats.handleUserOnline(change.userId).catch((err) => log.error({ err }, 'could not offer waiting chats')));
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
          // Already stored by the API; this applies it to live state (in every process).
          return presence.handleExternalPresence(ev.userId, ev.presence, 'api', ev.at);
        case 'user-revoked':
          for (const agent of agents) if (agent.userId === ev.userId) agent.revoke();
          await chats.handleUserRevoked(ev.userId);
          return hub.refreshAll();
      }
    };
    run().catch((err) => log.error({ err, ev }, 'domain event failed'));
  });

  const heartbeat = new Heartbeat({
    pingIntervalMs: config.wsPingIntervalS * 1000,
    startTimeoutMs: config.wsStartTimeoutS * 1000,
    sets: [visitors, agents],
    unstarted,
    now: () => clock.now(),
    logger: log,
  });

  // Credentials that end (sign-out, token revoked, password changed) end the consoles opened with them, in every process.
  const offCredentials = bus.subscribe(CREDENTIALS_TOPIC, (raw) => {
    const ev = raw as CredentialsRevoked;
    if (!ev || typeof ev !== 'object') return;
    for (const a of agents) if (a.held && revokes(ev, a.held)) a.revoke(typeof ev.reason === 'string' ? ev.reason : 'your access was revoked');
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
    app.proxyWatch(req);
    // Behind a proxy, the cap counts the forwarded client address per socket.
    const release = app.connectionCap.admitUpgrade(req);
    if (!release) {
      ConnectionCap.refuse(socket);
      return;
    }
    // The socket's own close also covers a handshake that fails.
    if (release !== 'uncounted') socket.once('close', release);
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
      offCredentials();
      heartbeat.stop();
      offPresence();
      await clustered?.stop();
      // Timers first, so that closing consoles does not start presence grace periods.
      presence.stop();
      chats.stop();
      sweepTimer?.cancel();
      const all = [...visitors, ...agents];
      const closed = all.map((socket) => new Promise<void>((done) => (socket.conn.ws.readyState === socket.conn.ws.CLOSED ? done() : socket.conn.ws.once('close', () => done()))));
      for (const socket of all) socket.close(CLOSE.restart);
      // A peer that never answers the close handshake is cut off.
      const cut = setTimeout(() => all.forEach((socket) => socket.conn.ws.terminate()), 3000);
      await Promise.all(closed);
      clearTimeout(cut);
      await Promise.allSettled(all.map((socket) => socket.conn.idle()));
      await calls.stop();
      hub.stop();
      await new Promise<void>((done) => wss.close(() => done()));
    })());
  app.addHook('onClose', async () => {
    await drain();
  });

  return { drain, presence, calls, chats, heartbeat, sockets: () => ({ visitors: visitors.size, agents: agents.size }) };
}

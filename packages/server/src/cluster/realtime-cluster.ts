/**
 * The realtime domain's side of cluster mode, wired in one place:
 * presence events between processes, agent call inputs routed to the owner
 * of each call, the clean-up after a dead process (by its one reaper: its
 * consoles' calls fail, its calls' consoles are told, its agents stop
 * looking busy, users whose consoles were all there get their grace
 * period), the catch-up after Redis was away, and the sweep of unanswered
 * chats by the holder of a lease.
 */
import type { Logger } from 'pino';
import type { Bus } from '../bus/types.js';
import type { CallManager } from '../calls/call-manager.js';
import type { ChatManager } from '../chat/chat-manager.js';
import type { Outbox } from '../domain/outbox.js';
import type { PresenceEvent, PresenceService, PresenceShare } from '../presence/presence-service.js';
import { CallRouter, CLUSTER_TOPIC, type ClusterEvent } from './call-router.js';
import type { Cluster } from './cluster.js';
import type { Lease } from './lease.js';
import type { Storage } from '../storage/types.js';
import { CoalescedRun } from '../domain/coalesced-run.js';

/** Cluster-wide topic of PresenceEvents. */
export const PRESENCE_TOPIC = 'presence';
/** How often the lease holder closes chats that waited too long. */
const SWEEP_MS = 10_000;
/** How often PostgreSQL is pinged, to notice that it is back after an outage. */
const DB_WATCH_MS = 1000;

/** The PresenceService's view of the cluster. */
export function presenceShare(cluster: Cluster, bus: Bus): PresenceShare {
  return {
    node: cluster.node,
    registry: cluster.registry,
    publish: (ev) => bus.publish(PRESENCE_TOPIC, ev),
    recordCall: (call, userId, on) => cluster.records.inCall(call, userId, on),
    inCallSnapshot: () => cluster.records.inCallSnapshot(cluster.membership.live),
  };
}

/** Subscribes presence events before the PresenceService loads its snapshot, so nothing falls between the two. */
export function listenPresence(bus: Bus, presence: PresenceService): () => void {
  return bus.subscribe(PRESENCE_TOPIC, (ev) => {
    if (ev && typeof ev === 'object') presence.handleEvent(ev as PresenceEvent);
  });
}

export interface RealtimeClusterDeps {
  cluster: Cluster;
  bus: Bus;
  outbox: Outbox;
  presence: PresenceService;
  calls: CallManager;
  chats: ChatManager;
  storage: Pick<Storage, 'ping'>;
  logger: Logger;
  /** Catches this process's sockets up on what they may have missed (histories, Info, presence). */
  catchUp(): Promise<void>;
}

export interface RealtimeCluster {
  router: CallRouter;
  /** A message failed because PostgreSQL or Redis was away: the sockets catch up once storage answers again. */
  noteOutage(): void;
  stop(): Promise<void>;
}

export function wireCluster(d: RealtimeClusterDeps): RealtimeCluster {
  const { cluster, bus, outbox, presence, calls, chats } = d;
  const log = d.logger;
  const router = new CallRouter({ calls, bus, outbox, node: cluster.node, logger: log });

  const offCluster = bus.subscribe(CLUSTER_TOPIC, (raw) => {
    const ev = raw as ClusterEvent;
    if (!ev || typeof ev !== 'object') return;
    if (ev.t === 'console-gone' && ev.node !== cluster.node) calls.handleConsoleGone(ev.consoleId);
    else if (ev.t === 'node-gone' && ev.reaper !== cluster.node) {
      calls.handleNodeGone(ev.node);
      // The reaper tells the consoles (it changed presence as its own); the others only update what they show.
      presence.handleNodeGone(ev.node);
    }
  });

  /** Writes this process's state to Redis again and catches its sockets up; runs once at a time, again if asked meanwhile. */
  const resyncs = new CoalescedRun(async () => {
    try {
      await presence.resync();
      cluster.records.rewrite();
      await d.catchUp();
      log.info('caught up after Redis was away');
    } catch (err) {
      log.warn({ err }, 'catching up after Redis was away failed; trying again on the next recovery');
    }
  });
  const resync = (): Promise<void> => resyncs.request();

  cluster.attach({
    async reap(dead) {
      const users = await cluster.registry.reap(dead);
      const lost = await cluster.records.takeDead(dead);
      for (const c of lost) for (const id of c.consoles) outbox.toConsole(id, { mt: 'CallInfo', call: c.call, state: 'terminated', cause: 'failed' });
      // Here as our own change (the agents' consoles hear that they are no longer busy); elsewhere by the event.
      presence.handleNodeGone(dead, true);
      calls.handleNodeGone(dead);
      bus.publish(CLUSTER_TOPIC, { t: 'node-gone', node: dead, reaper: cluster.node } satisfies ClusterEvent);
      presence.handleConsolesLost(users);
      log.info({ dead, calls: lost.length, users: users.length }, 'cleaned up after a dead process');
    },
    rejoin(why) {
      // Declared dead: the others told our calls' consoles they failed, so our visitors hear it too.
      if (why === 'reaped') calls.handleDeclaredDead();
      void resync();
    },
    recovered() {
      void resync();
    },
  });

  // PostgreSQL back after an outage: messages refused meanwhile (unavailable) are resent once the sockets catch up.
  // An outage is noticed by this ping or by any message that failed for it (a short outage may fall between pings).
  let dbDown = false;
  let watching = false;
  const dbWatch = setInterval(() => {
    if (watching) return;
    watching = true;
    let t: NodeJS.Timeout | undefined;
    Promise.race([
      d.storage.ping(),
      new Promise((_, rej) => {
        t = setTimeout(() => rej(new Error('PostgreSQL did not answer within 2 s')), 2000);
      }),
    ])
      .finally(() => clearTimeout(t))
      .then(
        () => {
          if (dbDown) {
            dbDown = false;
            log.info('PostgreSQL is reachable again');
            void resync();
          }
        },
        () => {
          if (!dbDown) log.warn('PostgreSQL is not reachable');
          dbDown = true;
        },
      )
      .finally(() => (watching = false));
  }, DB_WATCH_MS);
  dbWatch.unref();

  // One process at a time closes the chats nobody answered in time (the others' timers died with them).
  let sweep: NodeJS.Timeout | undefined;
  const lease: Lease = cluster.lease('chat-sweeper', {
    onAcquired: () => {
      sweep = setInterval(() => void chats.sweepWaiting().catch((err) => log.warn({ err }, 'chat sweep failed')), SWEEP_MS);
      sweep.unref();
    },
    onLost: () => clearInterval(sweep),
  });
  lease.start();

  return {
    router,
    noteOutage() {
      dbDown = true;
    },
    async stop() {
      clearInterval(dbWatch);
      clearInterval(sweep);
      await lease.stop();
      offCluster();
      router.stop();
    },
  };
}

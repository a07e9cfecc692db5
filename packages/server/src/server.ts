/**
 * startServer(): the one way a process runs the server — storage and bus
 * from the config, buildApp, the first admin, listen, and a close() that
 * drains. Used by main.ts, the testkit and the benchmarks alike, so they all
 * run what production runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ensureFirstAdmin, type FirstAdmin } from './bootstrap.js';
import { MemoryBus } from './bus/memory.js';
import type { Bus } from './bus/types.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { openStorage } from './storage/index.js';
import { openCluster, type Cluster } from './cluster/cluster.js';
import type { Storage } from './storage/types.js';

export interface StartOptions {
  /** default: a pino logger at config.logLevel */
  logger?: Logger;
  /** default: the system clock */
  clock?: Clock;
}

/** A listening server. */
export interface RunningServer {
  app: FastifyInstance;
  storage: Storage;
  bus: Bus;
  config: Config;
  /** the port it listens on (the one the OS chose when config.port is 0) */
  port: number;
  /** the admin created by this start, or null when an admin existed */
  firstAdmin: FirstAdmin | null;
  /** Drains the sockets (1012, clients reconnect), then closes HTTP, bus and storage. */
  close(): Promise<void>;
}

/** Opens storage and bus, builds the app, makes sure an admin exists and listens on config.host:config.port. */
export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  fs.mkdirSync(config.dataDir, { recursive: true });
  const storage = await openStorage({ databaseUrl: config.databaseUrl, sqlitePath: path.join(config.dataDir, 'contact-widgets.sqlite'), poolSize: config.databasePoolSize });
  // Cluster mode (REDIS_URL with PostgreSQL): bus, limits, membership and leases in Redis (docs/scaling.md).
  let cluster: Cluster | undefined;
  try {
    if (config.cluster) cluster = await openCluster({ url: config.redisUrl!, prefix: config.redisPrefix, logger });
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
  const bus: Bus = cluster?.bus ?? new MemoryBus(logger.child({ module: 'bus' }));
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp({
      config,
      storage,
      bus,
      logger,
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(cluster ? { cluster, counters: cluster.counters } : {}),
    });
    const firstAdmin = await ensureFirstAdmin(storage, config);
    await listen(app, config);
    const addr = app.server.address();
    const port = addr && typeof addr === 'object' ? addr.port : config.port;
    const running = app;
    let closing: Promise<void> | undefined;
    return {
      app,
      storage,
      bus,
      config,
      port,
      firstAdmin,
      close: () =>
        (closing ??= (async () => {
          await running.realtime.drain();
          await running.close();
          if (cluster) await cluster.close();
          else await bus.close();
          await storage.close();
        })()),
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await (cluster ? cluster.close() : bus.close()).catch(() => undefined);
    await storage.close().catch(() => undefined);
    throw err;
  }
}

async function listen(app: FastifyInstance, config: Config): Promise<void> {
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // A machine without IPv6 cannot bind '::'; all IPv4 interfaces is the next best "all interfaces".
    if (config.host !== '::' || !['EAFNOSUPPORT', 'EADDRNOTAVAIL'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    await app.listen({ port: config.port, host: '0.0.0.0' });
  }
}

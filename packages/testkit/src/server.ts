/**
 * Starts a real server (buildApp + listen on 127.0.0.1, port 0 by default)
 * with SQLite in a fresh temp dir, and a separate "website" origin for pages
 * that embed the widget.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig, startServer, type Bus, type Clock, type Config, type RunningServer, type Storage } from '@cw/server';

export interface TestServer {
  url: string;
  wsUrl: string;
  port: number;
  app: FastifyInstance;
  storage: Storage;
  bus: Bus;
  config: Config;
  dataDir: string;
  adminUsername: string;
  adminPassword: string;
  /** drains and stops the server, then starts a new one on the same port and data */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** reuse a data dir (restart across tests) */
  dataDir?: string;
  databaseUrl?: string;
  port?: number;
  logLevel?: string;
  /** a logger of the test's own (to read what the server logs) */
  logger?: pino.Logger;
  /** the server's clock (e.g. a JumpClock to move server time forward); kept across restart() */
  clock?: Clock;
}

/**
 * Real time plus an offset the test moves forward with `jump(ms)`: timers
 * whose moment has come by then fire at once (in order), the others wait in
 * real time. Only tests can hand a server a clock (startServer's options),
 * so nothing in a production process can move its time.
 */
export class JumpClock implements Clock {
  #offset = 0;
  #timers = new Set<{ at: number; fn: () => void; t: NodeJS.Timeout | undefined }>();

  now(): number {
    return Date.now() + this.#offset;
  }

  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    const timer = { at: this.now() + Math.max(0, ms), fn, t: undefined as NodeJS.Timeout | undefined };
    const fire = () => {
      if (!this.#timers.delete(timer)) return;
      if (timer.t) clearTimeout(timer.t);
      fn();
    };
    timer.t = setTimeout(fire, Math.max(0, ms));
    timer.t.unref?.();
    this.#timers.add(timer);
    (timer as { fire?: () => void }).fire = fire;
    return { cancel: () => void (this.#timers.delete(timer), timer.t && clearTimeout(timer.t)) };
  }

  /** Moves time forward by `ms` (or to the instant `at` with jumpTo); due timers fire. */
  jump(ms: number): void {
    this.#offset += ms;
    const now = this.now();
    for (const timer of [...this.#timers].sort((a, b) => a.at - b.at)) {
      if (timer.at <= now) (timer as { fire?: () => void }).fire?.();
      else {
        // Not due yet: it now waits only what is left of its time.
        if (timer.t) clearTimeout(timer.t);
        timer.t = setTimeout((timer as { fire?: () => void }).fire!, timer.at - now);
        timer.t.unref?.();
      }
    }
  }

  jumpTo(at: number): void {
    this.jump(Math.max(0, at - this.now()));
  }
}

export async function startTestServer(o: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cw-test-'));
  const adminPassword = 'admin-secret-pw';
  const env = {
    DATA_DIR: dataDir,
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: adminPassword,
    HOST: '127.0.0.1',
    PORT: String(o.port ?? 0),
    LOG_LEVEL: o.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    ...o.env,
  };
  const config = loadConfig(env as NodeJS.ProcessEnv);
  const logger = o.logger ?? pino({ level: config.logLevel });

  let server!: RunningServer;
  let port = config.port;

  // A restart listens on the port the first start got, so that clients reconnect to the same URL.
  const boot = async () => {
    server = await startServer({ ...config, host: '127.0.0.1', port }, { logger, ...(o.clock ? { clock: o.clock } : {}) });
    port = server.port;
  };
  const shutdown = () => server.close();
  await boot();

  const ts: TestServer = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get wsUrl() {
      return `ws://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get app(): FastifyInstance {
      return server.app;
    },
    get storage(): Storage {
      return server.storage;
    },
    get bus(): Bus {
      return server.bus;
    },
    config,
    dataDir,
    adminUsername: 'admin',
    adminPassword,
    async restart() {
      await shutdown();
      await boot();
    },
    async close() {
      await shutdown();
    },
  };
  return ts;
}

/** A second origin that serves fixed pages (the "customer website"). */
export async function startSite(pages: Record<string, string | { body: string; headers?: Record<string, string> }>): Promise<{ url: string; close(): Promise<void>; set(path: string, page: string | { body: string; headers?: Record<string, string> }): void }> {
  const table = new Map(Object.entries(pages));
  const srv = http.createServer((req, res) => {
    const p = table.get((req.url ?? '/').split('?')[0]!);
    if (p === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    const page = typeof p === 'string' ? { body: p } : p;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...page.headers }).end(page.body);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address() as { port: number };
  return {
    // "localhost" rather than 127.0.0.1, so the page's origin differs from the server's.
    url: `http://localhost:${addr.port}`,
    set: (path, page) => table.set(path, page),
    close: () => new Promise((r) => { srv.closeAllConnections(); srv.close(() => r()); }),
  };
}

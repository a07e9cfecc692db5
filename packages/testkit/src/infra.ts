/**
 * Private outside parts for tests that must restart or kill them: a
 * PostgreSQL cluster made by initdb in a temp dir (run as the `postgres` OS
 * user, since PostgreSQL refuses root), a redis-server, and HAProxy — each on
 * its own port, each a child of the test process. The shared PostgreSQL and
 * Redis of the machine are never touched.
 *
 * Start them once per suite (beforeAll), not per test.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnTied } from './tied.js';
import pg from 'pg';

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port (polled; a start-up wait, not a test's). */
export async function waitForPort(port: number, timeoutMs = 20_000, host = '127.0.0.1'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect({ host, port });
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves when `p` has exited (at once if it already has). */
export function exited(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((r) => p.once('exit', () => r()));
}

/** A child whose output goes to a log file (read it when a test fails). */
function spawnLogged(cmd: string, args: string[], logFile: string, opts: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string } = {}): ChildProcess {
  const fd = fs.openSync(logFile, 'a');
  try {
    return spawnTied(cmd, args, { stdio: ['ignore', fd, fd], env: opts.env ?? process.env, cwd: opts.cwd, ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}) });
  } finally {
    fs.closeSync(fd);
  }
}

function tail(file: string, n = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

// ------------------------------------------------------------------ PostgreSQL

/** The newest Debian PostgreSQL bin dir (/usr/lib/postgresql/<v>/bin), or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

function osUser(name: string): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export interface PrivatePostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  /** the server's log */
  log: string;
  /** Fast shutdown (clients are disconnected), then start again on the same port and data. */
  restart(): Promise<void>;
  /** Fast shutdown; start() brings it back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its files. */
  close(): Promise<void>;
}

/**
 * A PostgreSQL of its own: initdb in a temp dir, run as the `postgres` OS
 * user (the test runs as root), listening on 127.0.0.1:<port> only.
 * fsync is off: nothing here tests the disk, and a shared 2-core machine is
 * slow enough (a fast shutdown still writes everything out).
 */
export async function startPrivatePostgres(o: { port?: number } = {}): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)');
  const user = osUser('postgres');
  if (!user) throw new Error('there is no "postgres" OS user to run a private PostgreSQL as');
  const port = o.port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-pg-'));
  fs.chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  fs.writeFileSync(log, '');
  fs.chownSync(log, user.uid, user.gid);
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--locale=C'], { uid: user.uid, gid: user.gid, encoding: 'utf8', cwd: dir });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);

  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawnLogged(
      path.join(bin, 'postgres'),
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200', '-c', 'shared_buffers=32MB'],
      log,
      { uid: user.uid, gid: user.gid, cwd: dir },
    );
    const p = proc;
    const started = waitForPort(port, 30_000);
    const died = exited(p).then(() => {
      throw new Error(`private PostgreSQL exited at start:\n${tail(log)}`);
    });
    await Promise.race([started, died]);
    // Accepting TCP is not accepting queries (the start-up may still be replaying): wait for a query.
    const until = Date.now() + 30_000;
    for (;;) {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
      try {
        await c.connect();
        await c.query('select 1');
        await c.end();
        return;
      } catch (err) {
        await c.end().catch(() => undefined);
        if (Date.now() > until) throw new Error(`private PostgreSQL does not answer queries: ${(err as Error).message}\n${tail(log)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const stop = async () => {
    const p = proc;
    if (!p) return;
    proc = undefined;
    // SIGINT = "fast" shutdown: clients are disconnected, everything is written out.
    p.kill('SIGINT');
    const t = setTimeout(() => p.kill('SIGKILL'), 20_000);
    await exited(p);
    clearTimeout(t);
  };
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await start();
  return {
    port,
    url,
    log,
    start,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------------ Redis

export interface PrivateRedis {
  port: number;
  url: string;
  log: string;
  /** Kills it (nothing is saved: a restart starts empty, as a cache-style Redis does) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A redis-server of its own on 127.0.0.1:<port>, without persistence. */
export async function startPrivateRedis(o: { port?: number } = {}): Promise<PrivateRedis> {
  const port = o.port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-redis-'));
  const log = path.join(dir, 'redis.log');
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawnLogged('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no'], log);
    const p = proc;
    await Promise.race([
      waitForPort(port, 20_000),
      exited(p).then(() => {
        throw new Error(`private redis-server exited at start:\n${tail(log)}`);
      }),
    ]);
  };
  const stop = async () => {
    const p = proc;
    if (!p) return;
    proc = undefined;
    p.kill('SIGKILL');
    await exited(p);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    log,
    start,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------------ HAProxy

export interface Haproxy {
  log: string;
  close(): Promise<void>;
}

/**
 * HAProxy in the foreground with the given config files (read in order, as
 * `haproxy -f a -f b`) and environment (the config's "${VAR}"s).
 * Resolves once it listens on `waitPorts`.
 */
export async function startHaproxy(files: string[], env: Record<string, string>, waitPorts: number[]): Promise<Haproxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-haproxy-'));
  const log = path.join(dir, 'haproxy.log');
  const check = spawnSync('haproxy', ['-c', ...files.flatMap((f) => ['-f', f])], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy -c refused the configuration:\n${check.stdout}${check.stderr}`);
  const p = spawnLogged('haproxy', ['-db', ...files.flatMap((f) => ['-f', f])], log, { env: { ...process.env, ...env } });
  await Promise.race([
    Promise.all(waitPorts.map((port) => waitForPort(port, 20_000))),
    exited(p).then(() => {
      throw new Error(`haproxy exited at start:\n${tail(log)}`);
    }),
  ]);
  return {
    log,
    async close() {
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 5000);
      await exited(p);
      clearTimeout(t);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A real cluster for tests: a private PostgreSQL and a private Redis (so a
 * test may restart them), N server processes — each its own OS process
 * running the product's entry point (`packages/server/src/main.ts`), so that
 * kill -9 is real — and HAProxy in front with the README's configuration
 * (docs/haproxy.cfg, unchanged) plus, for tests only, one more frontend per
 * process that pins a browser to that process (falling back to the others
 * when it is down, as the balanced frontend does).
 */
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnTied } from './tied.js';
import { exited, freePort, startHaproxy, startPrivatePostgres, startPrivateRedis, type Haproxy, type PrivatePostgres, type PrivateRedis } from './infra.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');
const MAIN = path.join(ROOT, 'packages', 'server', 'src', 'main.ts');
/** The load balancer configuration the README shows. */
export const HAPROXY_CFG = path.join(ROOT, 'docs', 'haproxy.cfg');

export interface ClusterNode {
  /** p1, p2, … (the HAProxy server names) */
  name: string;
  port: number;
  /** straight to this process, not through the load balancer */
  url: string;
  /** through the load balancer, pinned to this process while it is up */
  pinnedUrl: string;
  log: string;
  readonly running: boolean;
  readonly pid: number | undefined;
  /** Starts the process (again) on its port; resolves when /readyz answers 200. */
  start(): Promise<void>;
  /** kill -9: no drain, no goodbye. */
  kill(): Promise<void>;
  /** SIGTERM: drains (sockets close with 1012) and exits. */
  stop(): Promise<void>;
}

export interface TestCluster {
  pg: PrivatePostgres;
  redis: PrivateRedis;
  nodes: ClusterNode[];
  /** the balanced entry (README configuration) */
  url: string;
  haproxy: Haproxy;
  adminUsername: string;
  adminPassword: string;
  close(): Promise<void>;
}

export interface ClusterOptions {
  nodes?: number;
  /** more environment for every process (e.g. PRESENCE_GRACE_S) */
  env?: Record<string, string>;
}

/** GET url → status, or 0 when nothing answers. */
async function status(url: string): Promise<number> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** Polls until `url` answers 200 (a start-up wait, not a test's). */
export async function waitReady(url: string, timeoutMs = 60_000, died?: Promise<unknown>): Promise<void> {
  const until = Date.now() + timeoutMs;
  let gone = false;
  void died?.then(() => (gone = true));
  for (;;) {
    if ((await status(url)) === 200) return;
    if (gone) throw new Error(`the process behind ${url} exited before it was ready`);
    if (Date.now() > until) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function pinsConfig(nodes: { name: string; pinPort: number }[]): string {
  // Test-only: one frontend per process. Its backend has that process first and the
  // others as backups, so a pinned browser follows the balancer when its process dies.
  return nodes
    .map(
      (n, i) => `
frontend pin_${n.name}
    bind 127.0.0.1:${n.pinPort}
    default_backend pin_${n.name}

backend pin_${n.name}
    option httpchk GET /readyz
    http-check expect status 200
    default-server check inter 1s fall 2 rise 2
    option allbackups
${nodes.map((m, j) => `    server ${m.name} "\${CW_NODE_${j + 1}}"${j === i ? '' : ' backup'}`).join('\n')}
`,
    )
    .join('');
}

export async function startCluster(o: ClusterOptions = {}): Promise<TestCluster> {
  const count = o.nodes ?? 3;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-cluster-'));
  const adminPassword = 'admin-secret-pw';
  // One key for the installation: a secret sealed by one process is opened by the others (README, cluster mode).
  const secretsKey = crypto.randomBytes(32).toString('hex');
  const [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  const nodes: ClusterNode[] = [];
  let haproxy: Haproxy | undefined;
  try {
    const lbPort = await freePort();
    const specs: { name: string; port: number; pinPort: number }[] = [];
    for (let i = 0; i < count; i++) specs.push({ name: `p${i + 1}`, port: await freePort(), pinPort: await freePort() });
    for (const spec of specs) nodes.push(node(spec, dir, { pg, redis, adminPassword, env: { SECRETS_KEY: secretsKey, ...o.env } }));
    // The first process migrates the empty database and creates the admin; then the others start together.
    await nodes[0]!.start();
    await Promise.all(nodes.slice(1).map((n) => n.start()));

    const pins = path.join(dir, 'haproxy-pins.cfg');
    fs.writeFileSync(pins, pinsConfig(specs));
    const env: Record<string, string> = { CW_LISTEN: `127.0.0.1:${lbPort}` };
    specs.forEach((s, i) => (env[`CW_NODE_${i + 1}`] = `127.0.0.1:${s.port}`));
    // The README's file names three processes: with fewer, the missing ones are the last one again.
    for (let i = specs.length; i < 3; i++) env[`CW_NODE_${i + 1}`] = `127.0.0.1:${specs[specs.length - 1]!.port}`;
    haproxy = await startHaproxy([HAPROXY_CFG, pins], env, [lbPort, ...specs.map((s) => s.pinPort)]);
    // Health checks must have passed before a browser goes through it.
    await Promise.all([waitReady(`http://127.0.0.1:${lbPort}/readyz`), ...nodes.map((n) => waitReady(`${n.pinnedUrl}/readyz`))]);
    const lb = haproxy;
    return {
      pg,
      redis,
      nodes,
      url: `http://127.0.0.1:${lbPort}`,
      haproxy: lb,
      adminUsername: 'admin',
      adminPassword,
      async close() {
        await lb.close();
        await Promise.all(nodes.map((n) => n.stop()));
        await Promise.all([pg.close(), redis.close()]);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await haproxy?.close().catch(() => undefined);
    await Promise.all(nodes.map((n) => n.kill().catch(() => undefined)));
    await Promise.all([pg.close(), redis.close()]);
    const logs = nodes.map((n) => `--- ${n.name}\n${fs.existsSync(n.log) ? fs.readFileSync(n.log, 'utf8').slice(-3000) : ''}`).join('\n');
    throw new Error(`${(err as Error).message}\n${logs}`, { cause: err });
  }
}

/** Processes the test ended on purpose (kill/stop): their exit is not reported. */
const expectedExit = new WeakSet<ChildProcess>();

function node(
  spec: { name: string; port: number; pinPort: number },
  dir: string,
  c: { pg: PrivatePostgres; redis: PrivateRedis; adminPassword: string; env: Record<string, string> },
): ClusterNode {
  const log = path.join(dir, `${spec.name}.log`);
  const dataDir = path.join(dir, `${spec.name}-data`);
  let proc: ChildProcess | undefined;
  const self: ClusterNode = {
    name: spec.name,
    port: spec.port,
    url: `http://127.0.0.1:${spec.port}`,
    pinnedUrl: `http://127.0.0.1:${spec.pinPort}`,
    log,
    get running() {
      return !!proc && proc.exitCode === null && proc.signalCode === null;
    },
    get pid() {
      return proc?.pid;
    },
    async start() {
      if (self.running) return;
      const fd = fs.openSync(log, 'a');
      try {
        proc = spawnTied(process.execPath, ['--import', 'tsx', MAIN], {
          cwd: ROOT,
          stdio: ['ignore', fd, fd],
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/root',
            NODE_ENV: 'test',
            PORT: String(spec.port),
            HOST: '127.0.0.1',
            DATA_DIR: dataDir,
            DATABASE_URL: c.pg.url,
            REDIS_URL: c.redis.url,
            ADMIN_USERNAME: 'admin',
            ADMIN_PASSWORD: c.adminPassword,
            TRUST_PROXY: '1',
            LOG_LEVEL: process.env.CLUSTER_LOG_LEVEL ?? 'info',
            ...c.env,
          },
        });
      } finally {
        fs.closeSync(fd);
      }
      // A process that dies on its own (not by kill()/stop()) is a bug: show why, before the temp dir goes.
      const mine = proc;
      mine.once('exit', (code, signal) => {
        if (expectedExit.has(mine)) return;
        const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-4000) : '';
        process.stderr.write(`\n[cluster] ${spec.name} exited unexpectedly (code ${code}, signal ${signal}); the end of its log:\n${tail}\n`);
      });
      // Generous: a loaded shared machine compiles the TypeScript of a fresh process slowly.
      await waitReady(`${self.url}/readyz`, 180_000, exited(proc));
    },
    async kill() {
      const p = proc;
      if (!p) return;
      expectedExit.add(p);
      p.kill('SIGKILL');
      await exited(p);
    },
    async stop() {
      const p = proc;
      if (!p) return;
      expectedExit.add(p);
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
      await exited(p);
      clearTimeout(t);
    },
  };
  return self;
}

/**
 * Request/response over the Node IPC channel between the harness and the
 * processes it starts (servers under test, visitor client swarms). Children
 * log to a file under the run's log dir so the terminal shows only results.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

type Handler = (args: any) => Promise<unknown> | unknown;

interface Req {
  id: number;
  cmd: string;
  args: unknown;
}
interface Res {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** In a child: answer the parent's calls with these handlers, then tell it we are ready. */
export function serveRpc(handlers: Record<string, Handler>): void {
  process.on('message', async (m: Req) => {
    if (!m || typeof m.id !== 'number') return;
    const h = handlers[m.cmd];
    let res: Res;
    try {
      if (!h) throw new Error(`unknown command ${m.cmd}`);
      res = { id: m.id, ok: true, result: await h(m.args) };
    } catch (err) {
      res = { id: m.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    process.send?.(res);
  });
  // Losing the parent (harness killed) must not leave load running.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: true });
}

export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  call<T = any>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** asks nicely (cmd "close"), then SIGKILLs this pid after a grace period */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** start node with --expose-gc */
  gc?: boolean;
  /** extra node flags, e.g. --cpu-prof */
  nodeArgs?: string[];
  env?: Record<string, string>;
  logDir: string;
  readyTimeoutMs?: number;
}

/** Starts `file` (TypeScript, via tsx) as a child with an IPC channel; resolves when it says ready. */
export function spawnChild(name: string, file: string, o: SpawnOptions): Promise<Child> {
  fs.mkdirSync(o.logDir, { recursive: true });
  const log = fs.openSync(path.join(o.logDir, `${name}.log`), 'a');
  const proc = fork(file, [], {
    execArgv: ['--import', 'tsx', ...(o.gc ? ['--expose-gc'] : []), ...(o.nodeArgs ?? [])],
    env: { ...process.env, ...o.env },
    stdio: ['ignore', log, log, 'ipc'],
  });
  fs.closeSync(log);
  let seq = 0;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; t: NodeJS.Timeout }>();
  let exited = false;
  const exit = new Promise<void>((r) =>
    proc.once('exit', (code, sig) => {
      exited = true;
      for (const p of pending.values()) {
        clearTimeout(p.t);
        p.reject(new Error(`${name} exited (code ${code}, signal ${sig}); see ${o.logDir}/${name}.log`));
      }
      pending.clear();
      r();
    }),
  );
  proc.on('message', (m: Res) => {
    const p = pending.get(m?.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.t);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`${name}: ${m.error}`));
  });
  const child: Child = {
    name,
    pid: proc.pid!,
    proc,
    call(cmd, args, timeoutMs = 60_000) {
      if (exited) return Promise.reject(new Error(`${name} is not running; see ${o.logDir}/${name}.log`));
      const id = ++seq;
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: "${cmd}" took longer than ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, t });
        proc.send({ id, cmd, args } satisfies Req);
      });
    },
    async stop(graceMs = 10_000) {
      if (exited) return;
      const kill = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      child.call('close', undefined, graceMs).catch(() => {});
      await exit;
      clearTimeout(kill);
    },
  };
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${o.readyTimeoutMs ?? 30_000} ms; see ${o.logDir}/${name}.log`));
    }, o.readyTimeoutMs ?? 30_000);
    const onMsg = (m: any) => {
      if (m?.ready) {
        clearTimeout(t);
        proc.off('message', onMsg);
        resolve(child);
      }
    };
    proc.on('message', onMsg);
    void exit.then(() => {
      clearTimeout(t);
      reject(new Error(`${name} exited before it was ready; see ${o.logDir}/${name}.log`));
    });
  });
}

/** In a child: VmRSS and V8 heap figures after a full GC, in KiB. */
export async function settledMem(): Promise<Record<string, number>> {
  const rss = await settledRss();
  const m = process.memoryUsage();
  const k = (v: number) => Math.round(v / 1024);
  return { rss: k(rss), heapTotal: k(m.heapTotal), heapUsed: k(m.heapUsed), external: k(m.external), arrayBuffers: k(m.arrayBuffers) };
}

/** In a child: VmRSS after a full GC (needs --expose-gc), in bytes. */
export async function settledRss(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

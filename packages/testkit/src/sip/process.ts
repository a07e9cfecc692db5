/** A child process whose output is kept, so a test can wait for a line and show the log when it fails. */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import net from 'node:net';
import { killTied, spawnTied } from '../tied.js';

export class Proc {
  readonly child: ChildProcess;
  #out = '';
  #waiters: { re: RegExp; from: number; resolve(m: RegExpMatchArray): void }[] = [];
  #exited: Promise<number | null>;

  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    opts: SpawnOptions = {},
  ) {
    // Tied to this process: a test run that dies leaves no phone busy-looping behind (tied.ts).
    this.child = spawnTied(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
    const on = (b: Buffer) => {
      this.#out += b.toString('utf8');
      if (this.#out.length > 4_000_000) this.#out = this.#out.slice(-2_000_000);
      for (const w of [...this.#waiters]) {
        const m = this.#out.slice(w.from).match(w.re);
        if (m) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    };
    this.child.stdout?.on('data', on);
    this.child.stderr?.on('data', on);
    this.#exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
  }

  get output(): string {
    return this.#out;
  }

  /** A position in the output; `waitFor(re, mark)` looks only after it. */
  mark(): number {
    return this.#out.length;
  }

  waitFor(re: RegExp, from = 0, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const m = this.#out.slice(from).match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const w = { re, from, resolve: (x: RegExpMatchArray) => (clearTimeout(t), resolve(x)) };
      const t = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        reject(new Error(`${this.name}: no ${re} within ${timeoutMs} ms; last output:\n${this.#out.slice(-3000)}`));
      }, timeoutMs);
      this.#waiters.push(w);
    });
  }

  get exited(): Promise<number | null> {
    return this.#exited;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL if it lingers. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => killTied(this.child), graceMs);
    await this.#exited;
    clearTimeout(t);
    // Anything it forked and left behind goes too.
    if (this.child.pid !== undefined)
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // the group is gone
      }
  }
}

/** Resolves once something accepts TCP connections on the port. */
export async function waitForTcp(port: number, host = '127.0.0.1', timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

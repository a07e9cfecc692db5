/**
 * Child processes that die with the test process. A test runner killed
 * hard (kill -9, an OOM, a timeout) runs no cleanup, and a baresip left
 * behind busy-loops on a core of a shared machine. So every long-lived
 * helper (kamailio, baresip, rtpengine, sipp, private databases, HAProxy)
 * is started by `spawnTied`:
 *
 * - through `setpriv --pdeathsig SIGKILL` (prctl PR_SET_PDEATHSIG): the
 *   kernel kills it the moment its parent dies;
 * - as the leader of its own process group (`detached`), so that whatever it
 *   forks (kamailio's workers) is killed with it;
 * - watched by a tiny shell that kills the group within a second after the
 *   test process is gone, whatever way it went (covers grandchildren that
 *   the death signal does not reach);
 * - and killed on the test process's own 'exit' and on SIGINT/SIGTERM.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';

const live = new Set<ChildProcess>();
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
let hooked = false;

function killGroup(c: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(-c.pid, signal);
  } catch {
    try {
      c.kill(signal);
    } catch {
      // gone
    }
  }
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const c of live) killGroup(c);
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(sig, () => {
      for (const c of live) killGroup(c);
      process.kill(process.pid, sig);
    });
}

/** Like spawn(), but the child (and its process group) dies with this process; see the module comment. */
export function spawnTied(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  hook();
  const [file, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { ...opts, detached: true });
  if (child.pid === undefined) return child;
  live.add(child);
  child.once('exit', () => live.delete(child));
  // The watchdog: ends when the group is gone, or kills it when this process is.
  const watchdog = spawn(
    '/bin/sh',
    ['-c', `while kill -0 ${process.pid} 2>/dev/null && kill -0 -${child.pid} 2>/dev/null; do sleep 1; done; kill -9 -${child.pid} 2>/dev/null; exit 0`],
    { stdio: 'ignore', detached: true },
  );
  watchdog.unref();
  return child;
}

/** Kills the child's whole process group (SIGKILL unless told). */
export function killTied(c: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  killGroup(c, signal);
}

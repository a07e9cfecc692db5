/**
 * Moves SQLite's WAL checkpoints off the event loop. With the default
 * auto-checkpoint, the commit that pushes the WAL past 1,000 pages copies it
 * into the database and fsyncs, inside that commit: measured on the
 * development VM, 10–90 ms during which no socket is served (every few
 * hundred chat messages; it was the chat relay's p99). Here the main
 * connection never checkpoints; a worker thread with its own connection runs
 * PASSIVE checkpoints (which never block writers) twice a second; only when
 * a steady stream of writes has let the WAL grow past 64 MiB does it run a
 * RESTART checkpoint, which makes writers wait once. Commits
 * stay exactly as durable as before: every write is in the WAL when it
 * returns, and the WAL is the database until it is checkpointed.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

const EVERY_MS = 500;
/** WAL frames (pages) past which a checkpoint restarts the WAL: 16,384 × 4 KiB = 64 MiB. */
const RESTART_FRAMES = 16_384;

// CommonJS, evaluated in the worker: no file of its own to find at run time.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = 0');
const run = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // Under a steady stream of writes a passive checkpoint never catches up, and the WAL
    // only restarts from its beginning after one did: past the limit, restart it (this one
    // waits for writers, once in a long while).
    if (r && r.log > workerData.restartFrames) db.pragma('wal_checkpoint(RESTART)');
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
};
const timer = setInterval(run, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  run();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /**
   * Runs a last checkpoint and closes the worker's connection (call before
   * closing the main one). Resolves when the worker has exited, so that
   * nothing touches the database files after the storage is closed.
   */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `file` in a worker and turns the main connection's
 * auto-checkpoint off. If the worker cannot start, auto-checkpoint stays on.
 */
export function startCheckpointer(raw: BetterSqlite3.Database, file: string, onError: (msg: string) => void): Checkpointer | undefined {
  let worker: Worker;
  try {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(WORKER, { eval: true, workerData: { file, module, everyMs: EVERY_MS, restartFrames: RESTART_FRAMES } });
  } catch (err) {
    onError(`WAL checkpoint worker did not start: ${(err as Error).message}`);
    return undefined;
  }
  worker.unref();
  raw.pragma('wal_autocheckpoint = 0');
  let stopped = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fallBack = (msg: string) => {
    onError(msg);
    // Without the worker the main connection checkpoints again, as SQLite does by default.
    if (!stopped && raw.open) raw.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('message', (m: { error?: string }) => {
    if (m?.error) onError(`WAL checkpoint failed: ${m.error}`);
  });
  worker.on('error', (err) => fallBack(`WAL checkpoint worker failed: ${err.message}`));
  worker.on('exit', (code) => {
    if (!stopped) fallBack(`WAL checkpoint worker exited (${code})`);
  });
  return {
    stop() {
      if (!stopped) {
        stopped = true;
        // Someone awaits the exit now: an unref'd worker would let a process with nothing else to do end
        // in the middle of that await (exit code 13, "unsettled top-level await"), seen in the bench.
        worker.ref();
        // The worker closes its connection on its own; the main connection, closed last, checkpoints the rest.
        worker.postMessage('stop');
      }
      return exited;
    },
  };
}

import { describe, expect, it } from 'vitest';
import { CoalescedRun } from '../src/domain/coalesced-run.js';

/** A task whose runs end when the test says so. */
function gatedTask() {
  const gates: (() => void)[] = [];
  let runs = 0;
  const task = () => {
    runs++;
    return new Promise<void>((resolve) => gates.push(resolve));
  };
  const settle = async () => {
    // Let the loop reach its next await before releasing.
    await new Promise((r) => setImmediate(r));
    gates.shift()?.();
  };
  return { task, settle, runs: () => runs, waiting: () => gates.length };
}

describe('CoalescedRun', () => {
  it('folds requests made during a run into exactly one more run', async () => {
    const g = gatedTask();
    const runner = new CoalescedRun(g.task);
    const first = runner.request();
    const second = runner.request();
    const third = runner.request();
    expect(g.runs()).toBe(1);
    await g.settle();
    await g.settle();
    await Promise.all([first, second, third]);
    expect(g.runs()).toBe(2);
    expect(g.waiting()).toBe(0);
  });

  it('runs once when nobody asks meanwhile, and again for a later request', async () => {
    const g = gatedTask();
    const runner = new CoalescedRun(g.task);
    const p = runner.request();
    await g.settle();
    await p;
    expect(g.runs()).toBe(1);
    const q = runner.request();
    await g.settle();
    await q;
    expect(g.runs()).toBe(2);
  });

  it('stops repeating once keepGoing says no', async () => {
    const g = gatedTask();
    let active = true;
    const runner = new CoalescedRun(g.task, { keepGoing: () => active });
    const p = runner.request();
    runner.request();
    active = false;
    await g.settle();
    await p;
    expect(g.runs()).toBe(1);
  });

  it('reports an error once, ends the runs, calls onIdle and never rejects', async () => {
    const errors: unknown[] = [];
    let idle = 0;
    let runs = 0;
    const runner = new CoalescedRun(
      async () => {
        runs++;
        throw new Error('boom');
      },
      { onError: (err) => errors.push(err), onIdle: () => idle++ },
    );
    await expect(runner.request()).resolves.toBeUndefined();
    expect(runs).toBe(1);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
    expect(idle).toBe(1);
    await runner.request();
    expect(runs).toBe(2);
  });

  it('idle() waits for the run in progress and its follow-up', async () => {
    const g = gatedTask();
    const runner = new CoalescedRun(g.task);
    void runner.request();
    void runner.request();
    let done = false;
    const idle = runner.idle().then(() => (done = true));
    await g.settle();
    expect(done).toBe(false);
    await g.settle();
    await idle;
    expect(done).toBe(true);
    expect(g.runs()).toBe(2);
  });
});

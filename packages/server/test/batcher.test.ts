/** The natural batching behind chat writes on PostgreSQL (storage/batcher.ts). */
import { describe, expect, it } from 'vitest';
import { Batcher, ItemFailed } from '../src/storage/batcher.js';

/** A batch runner whose batches the test completes by hand. */
function manual<I>() {
  const batches: { items: I[]; finish(outs: unknown[]): void; fail(err: unknown): void }[] = [];
  const run = (items: I[]) =>
    new Promise<any[]>((resolve, reject) => {
      batches.push({ items, finish: resolve, fail: reject });
    });
  return { batches, run };
}

describe('Batcher', () => {
  it('sends a call at once while a slot is free, and what arrives meanwhile together in the next batch', async () => {
    const m = manual<number>();
    const b = new Batcher<number, string>(m.run, { concurrency: 1, max: 100 });
    const first = b.add(1);
    expect(m.batches.map((x) => x.items)).toEqual([[1]]);
    const rest = [2, 3, 4].map((i) => b.add(i));
    expect(b.waiting).toBe(3);
    m.batches[0]!.finish(['one']);
    await expect(first).resolves.toBe('one');
    expect(m.batches.map((x) => x.items)).toEqual([[1], [2, 3, 4]]);
    m.batches[1]!.finish(['two', 'three', 'four']);
    await expect(Promise.all(rest)).resolves.toEqual(['two', 'three', 'four']);
    expect(b.waiting).toBe(0);
  });

  it('runs up to `concurrency` batches at once and caps their size', async () => {
    const m = manual<number>();
    const b = new Batcher<number, number>(m.run, { concurrency: 2, max: 2 });
    const all = [1, 2, 3, 4, 5, 6].map((i) => b.add(i));
    expect(m.batches.map((x) => x.items)).toEqual([[1], [2]]);
    m.batches[0]!.finish([10]);
    // The next batch starts once the finished one has settled: waited for as an event.
    await expect.poll(() => m.batches.length).toBe(3);
    expect(m.batches.map((x) => x.items)).toEqual([[1], [2], [3, 4]]);
    m.batches[1]!.finish([20]);
    m.batches[2]!.finish([30, 40]);
    await expect.poll(() => m.batches.length).toBe(4);
    expect(m.batches.slice(3).map((x) => x.items)).toEqual([[5, 6]]);
    m.batches[3]!.finish([50, 60]);
    await expect(Promise.all(all)).resolves.toEqual([10, 20, 30, 40, 50, 60]);
  });

  /** A batcher with one slot, held by a first call, so that the next calls go together in batch 1. */
  async function together(items: number[]) {
    const m = manual<number>();
    const b = new Batcher<number, number>(m.run, { concurrency: 1, max: 10 });
    const blocker = b.add(0);
    const calls = items.map((i) => b.add(i));
    m.batches[0]!.finish([0]);
    await blocker;
    await expect.poll(() => m.batches.length).toBe(2);
    expect(m.batches[1]!.items).toEqual(items);
    return { batch: m.batches[1]!, calls };
  }

  it('fails one item alone with ItemFailed', async () => {
    const { batch, calls } = await together([1, 2]);
    batch.finish([new ItemFailed(new Error('bad row')), 2]);
    await expect(calls[0]).rejects.toThrow('bad row');
    await expect(calls[1]).resolves.toBe(2);
  });

  it('fails every item of a batch whose run fails, or that answers the wrong count', async () => {
    const a = await together([3, 4]);
    a.batch.fail(new Error('connection lost'));
    await expect(a.calls[0]).rejects.toThrow('connection lost');
    await expect(a.calls[1]).rejects.toThrow('connection lost');
    const b = await together([5, 6]);
    b.batch.finish([5]);
    await expect(b.calls[0]).rejects.toThrow('batch returned 1 results for 2 items');
    await expect(b.calls[1]).rejects.toThrow('batch returned 1 results for 2 items');
  });

  it('keeps going after a runner that throws synchronously', async () => {
    let calls = 0;
    const b = new Batcher<number, number>(
      (items) => {
        if (calls++ === 0) throw new Error('sync boom');
        return Promise.resolve(items.map((i) => i * 2));
      },
      { concurrency: 1, max: 10 },
    );
    await expect(b.add(1)).rejects.toThrow('sync boom');
    await expect(b.add(2)).resolves.toBe(4);
  });
});

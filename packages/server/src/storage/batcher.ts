/**
 * Natural batching for the queries of every chat message on PostgreSQL.
 *
 * Each chat message costs a read (the chat) and a committed write (the
 * message). One statement per message means one round trip per query and
 * one WAL flush per message; on a busy machine the time goes to waking
 * PostgreSQL backends and waiting for the pool, not to the work itself
 * (see docs/adr/0004-chat-writes-on-postgresql.md). A Batcher runs at most
 * `concurrency` batches at once; what arrives while they run waits and goes
 * in the next batch, together. So an idle server sends each call alone, at
 * once (no timer, no added latency), and a loaded one sends fewer, larger
 * statements — one commit, and so one WAL flush, for many messages.
 *
 * Each caller still gets its own result (or error) for its own item.
 */

export interface BatcherOptions {
  /** batches running at once (each holds a pool connection while it runs) */
  concurrency: number;
  /** items per batch at most */
  max: number;
}

/** A result that fails one item of a batch alone (the others still get theirs). */
export class ItemFailed {
  constructor(readonly error: unknown) {}
}

interface Waiting<I, O> {
  item: I;
  resolve(o: O): void;
  reject(err: unknown): void;
}

export class Batcher<I, O> {
  #queue: Waiting<I, O>[] = [];
  #running = 0;

  /** `run` gets the items of one batch and returns one result per item, in order (an ItemFailed rejects that item). */
  constructor(
    private readonly run: (items: I[]) => Promise<(O | ItemFailed)[]>,
    private readonly opts: BatcherOptions,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#pump();
    });
  }

  /** Items waiting for a free slot (for tests and diagnostics). */
  get waiting(): number {
    return this.#queue.length;
  }

  #pump(): void {
    while (this.#running < this.opts.concurrency && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.opts.max);
      this.#running++;
      let p: Promise<(O | ItemFailed)[]>;
      try {
        p = this.run(batch.map((w) => w.item));
      } catch (err) {
        p = Promise.reject(err);
      }
      p.then(
        (outs) => {
          if (outs.length !== batch.length) throw new Error(`batch returned ${outs.length} results for ${batch.length} items`);
          batch.forEach((w, i) => {
            const o = outs[i]!;
            if (o instanceof ItemFailed) w.reject(o.error);
            else w.resolve(o);
          });
        },
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      )
        .catch((err: unknown) => batch.forEach((w) => w.reject(err)))
        .finally(() => {
          this.#running--;
          this.#pump();
        });
    }
  }
}

/**
 * One run of a task at a time; a request while it runs asks for exactly one more run after it (any number of
 * requests meanwhile fold into that one). Used by the mail sender, the schedule keeper and the cluster's
 * catch-up after Redis returns: each looks at the whole state, so one more look covers every change before it.
 */
export class CoalescedRun {
  #running: Promise<void> | undefined;
  #again = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly opts: {
      /** Checked before each further run (stopped owners do not run again). Default: always. */
      keepGoing?: () => boolean;
      /** The task threw: the runs end here (requests made meanwhile wait for the next request). */
      onError?: (err: unknown) => void;
      /** After the runs ended, successfully or not, once nothing runs any more. */
      onIdle?: () => void;
    } = {},
  ) {}

  /** Runs now, or once more after the run in progress. Resolves when a run that started after this request has ended; never rejects. */
  request(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const keepGoing = this.opts.keepGoing ?? (() => true);
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.task();
        } while (this.#again && keepGoing());
      } catch (err) {
        this.opts.onError?.(err);
      } finally {
        this.#running = undefined;
        this.opts.onIdle?.();
      }
    })();
    return this.#running;
  }

  /** Resolves once no run is in progress (for shutdown). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }
}

/**
 * A typed listener list where a throwing listener cannot break the fan-out
 * (STYLE habit 8, mediasoup's safeEmit): the error is logged, the others run.
 */
import type { SipLogger } from './types.js';

export class Listeners<A extends unknown[]> {
  #fns = new Set<(...args: A) => void>();
  constructor(
    private readonly logger: SipLogger,
    private readonly name: string,
  ) {}

  add(fn: (...args: A) => void): () => void {
    this.#fns.add(fn);
    return () => this.#fns.delete(fn);
  }

  emit(...args: A): void {
    for (const fn of [...this.#fns]) {
      try {
        fn(...args);
      } catch (err) {
        this.logger.error({ err, event: this.name }, 'SIP connector listener threw');
      }
    }
  }

  clear(): void {
    this.#fns.clear();
  }
}

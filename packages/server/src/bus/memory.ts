/** In-process bus: one Map of topic → handlers. */
import type { Logger } from 'pino';
import type { Bus, BusHandler } from './types.js';

export class MemoryBus implements Bus {
  #subs = new Map<string, Set<BusHandler>>();
  #log?: Logger;

  constructor(log?: Logger) {
    this.#log = log;
  }

  publish(topic: string, msg: unknown): void {
    const set = this.#subs.get(topic);
    if (!set) return;
    for (const h of [...set]) {
      try {
        h(msg);
      } catch (err) {
        // A listener cannot break the fan-out (STYLE habit 8).
        this.#log?.error({ err, topic }, 'bus handler threw');
      }
    }
  }

  subscribe(topic: string, handler: BusHandler): () => void {
    let set = this.#subs.get(topic);
    if (!set) this.#subs.set(topic, (set = new Set()));
    set.add(handler);
    let done = false;
    return () => {
      // Idempotent: a second call must not touch a newer subscription of the same topic.
      if (done) return;
      done = true;
      set!.delete(handler);
      if (set!.size === 0 && this.#subs.get(topic) === set) this.#subs.delete(topic);
    };
  }

  async close(): Promise<void> {
    this.#subs.clear();
  }
}

/**
 * Delivers the events of one widget to its visitors in time slices: a
 * fan-out to thousands of sockets writes for at most BUDGET_MS, then lets
 * the event loop read other sockets (chat messages, call signalling) before
 * it goes on. Events of a widget are delivered strictly one after another
 * (the next starts when the previous one reached every visitor), so each
 * visitor gets them in publish order. An Info that has not started yet is
 * replaced by a newer Info of the same agent: nobody would see the older
 * one, and a burst of changes then costs one fan-out.
 */
import { performance } from 'node:perf_hooks';
import type { WidgetEvent } from '../domain/outbox.js';

/** A visitor socket (or anything) that wants a widget's events. */
export interface WidgetListener {
  widgetEvent(ev: WidgetEvent): void;
}

/**
 * How long one slice of a fan-out may write before the loop reads other
 * sockets. A chat message that arrives during a fan-out waits at most about
 * this long (the goal is 5 ms at p99 for the whole relay).
 */
const BUDGET_MS = 1;
/** Listeners served between two looks at the clock. */
const CHECK_EVERY = 16;

interface Job {
  ev: WidgetEvent;
  /** the listeners when the event was published */
  to: WidgetListener[];
  /** next listener to serve */
  at: number;
}

export class FanOut {
  #queue: Job[] = [];
  /** a slice is waiting in setImmediate or running now */
  #busy = false;
  #stopped = false;

  constructor(private readonly listeners: Set<WidgetListener>) {}

  /** Queues an event for every current listener; starts at once when nothing else is being delivered. */
  push(ev: WidgetEvent): void {
    if (this.#stopped) return;
    if (ev.k === 'info' && this.#coalesce(ev)) return;
    this.#queue.push({ ev, to: [...this.listeners], at: 0 });
    // Not re-entered: a listener that publishes to this widget while a slice runs only queues.
    if (!this.#busy) this.#pump();
  }

  /** Drops queued work (the widget has no listeners any more, or drain). */
  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
  }

  /**
   * Replaces a queued, not yet started Info of the same agent, if only Infos
   * of other agents are queued after it (a reload after it must stay later).
   */
  #coalesce(ev: WidgetEvent & { k: 'info' }): boolean {
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const job = this.#queue[i]!;
      if (job.ev.k !== 'info') return false;
      if (job.ev.msg.id !== ev.msg.id) continue;
      if (job.at > 0) return false;
      job.ev = ev;
      job.to = [...this.listeners];
      return true;
    }
    return false;
  }

  #pump = (): void => {
    this.#busy = true;
    const deadline = performance.now() + BUDGET_MS;
    let n = 0;
    while (this.#queue.length && !this.#stopped) {
      const job = this.#queue[0]!;
      while (job.at < job.to.length) {
        const l = job.to[job.at++]!;
        try {
          l.widgetEvent(job.ev);
        } catch {
          // One broken socket must not stop the others (it logs and closes itself).
        }
        if (++n % CHECK_EVERY === 0 && job.at < job.to.length && performance.now() >= deadline) {
          setImmediate(this.#pump);
          return;
        }
      }
      this.#queue.shift();
    }
    this.#busy = false;
  };
}

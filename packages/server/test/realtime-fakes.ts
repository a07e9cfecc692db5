/** Test doubles for the realtime domain: a clock driven by the test, and an Outbox that records. */
import pino from 'pino';
import type { AgentOutbound, VisitorOutbound } from '@cw/protocol';
import type { Clock } from '../src/clock.js';
import type { Outbox } from '../src/domain/outbox.js';
import { openStorage } from '../src/storage/index.js';
import type { Storage } from '../src/storage/types.js';

export const silent = pino({ level: 'silent' });

/** A clock whose time moves only when the test calls advance(). */
export class FakeClock implements Clock {
  #now: number;
  #timers: { at: number; fn: () => void; live: boolean }[] = [];

  constructor(start = 1_764_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    const t = { at: this.#now + Math.max(0, ms), fn, live: true };
    this.#timers.push(t);
    return { cancel: () => void (t.live = false) };
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.#now = due.at;
      due.fn();
    }
    this.#now = end;
    this.#timers = this.#timers.filter((t) => t.live);
  }

  /** Number of timers still pending. */
  get pending(): number {
    return this.#timers.filter((t) => t.live).length;
  }
}

export type Sent = { to: string; msg: VisitorOutbound | AgentOutbound; except?: string };

/** Records every message with its destination: "visitor:<id>", "vsession:<t>", "console:<id>", "user:<id>". */
export class RecordingOutbox implements Outbox {
  sent: Sent[] = [];
  toVisitor(connId: string, msg: VisitorOutbound): void {
    this.sent.push({ to: `visitor:${connId}`, msg });
  }
  toVisitorSession(token: string, msg: VisitorOutbound, except?: string): void {
    this.sent.push({ to: `vsession:${token}`, msg, ...(except ? { except } : {}) });
  }
  toConsole(consoleId: string, msg: AgentOutbound): void {
    this.sent.push({ to: `console:${consoleId}`, msg });
  }
  toUser(userId: string, msg: AgentOutbound, except?: string): void {
    this.sent.push({ to: `user:${userId}`, msg, ...(except ? { except } : {}) });
  }
  /** Messages sent to one destination. */
  to(dest: string): (VisitorOutbound | AgentOutbound)[] {
    return this.sent.filter((s) => s.to === dest).map((s) => s.msg);
  }
  clear(): void {
    this.sent = [];
  }
}

/** A fresh SQLite storage in memory. */
export function memoryStorage(): Promise<Storage> {
  return openStorage({ sqlitePath: ':memory:', logger: silent });
}

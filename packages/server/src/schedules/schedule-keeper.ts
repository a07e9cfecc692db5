/**
 * ScheduleKeeper (spec 11): flags that follow a schedule are on while it is
 * open. One timer, set to the earliest coming change of any schedule in use
 * (and to the end of any manual override); at that instant the keeper writes
 * the flags that must change and publishes `flag-changed` — the same path a
 * flag set by hand takes, so open widgets update within the second. Widgets
 * with a schedule of their own get `widget-updated` at their schedule's
 * changes, so every open visitor receives a fresh Session (`open`, `nextOpen`).
 *
 * Cluster mode: only the holder of the `schedule-keeper` lease runs it (the
 * writes are idempotent, so a brief overlap at a hand-over is harmless). One
 * process: always.
 */
import type { Logger } from 'pino';
import type { Bus, DomainEvent } from '../bus/types.js';
import { DOMAIN_TOPIC } from '../bus/types.js';
import type { Clock } from '../clock.js';
import type { Storage } from '../storage/types.js';
import { scheduleState, type ScheduleState } from './schedule-engine.js';
import { CoalescedRun } from '../domain/coalesced-run.js';
import { planOf } from './schedule-view.js';

export interface KeeperDeps {
  storage: Pick<Storage, 'schedules' | 'flags' | 'widgets' | 'transaction'>;
  bus: Bus;
  clock: Clock;
  logger: Logger;
}

/** Re-checks at least this often, whatever the schedules say (a missed timer, a changed system clock). */
const MAX_SLEEP_MS = 15 * 60_000;
/** Fired this long after a change, so that the change has certainly happened. */
const LATE_MS = 5;

export class ScheduleKeeper {
  #timer: { cancel(): void } | undefined;
  readonly #runs = new CoalescedRun(() => this.#reconcile(), {
    keepGoing: () => this.#active,
    onError: (err) => {
      this.deps.logger.error({ err }, 'schedule keeper failed; trying again in a minute');
      this.#arm(this.deps.clock.now() + 60_000);
    },
  });
  #active = false;
  /** the open state per widget last seen, to announce widget changes */
  #widgetOpen = new Map<string, boolean>();
  #off: (() => void) | undefined;

  constructor(private readonly deps: KeeperDeps) {}

  /** Whether this process keeps the schedules now (cluster: holds the lease). */
  get active(): boolean {
    return this.#active;
  }

  /** Starts keeping (this process is the leader). */
  start(): void {
    if (this.#active) return;
    this.#active = true;
    this.#off = this.deps.bus.subscribe(DOMAIN_TOPIC, (ev) => {
      const e = ev as DomainEvent & { byKeeper?: boolean };
      if (e?.byKeeper) return;
      if (e?.t === 'schedule-changed' || e?.t === 'widget-updated' || e?.t === 'widget-deleted' || e?.t === 'flag-changed') void this.kick();
    });
    this.kick();
  }

  /** Stops (leadership lost, shutdown); waits for a run in progress. */
  async stop(): Promise<void> {
    this.#active = false;
    this.#off?.();
    this.#off = undefined;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#widgetOpen.clear();
    await this.#runs.idle();
  }

  /** Looks again now (something changed). Resolves when that look is done. */
  kick(): Promise<void> {
    if (!this.#active) return Promise.resolve();
    return this.#runs.request();
  }

  async #reconcile(): Promise<void> {
    const { storage, clock, bus } = this.deps;
    const now = clock.now();
    const schedules = await storage.schedules.list();
    const states = new Map<string, ScheduleState>(schedules.map((s) => [s.id, scheduleState(planOf(s), now)]));
    let wake = Infinity;
    const used = new Set<string>();
    const changed: DomainEvent[] = [];

    for (const flag of await storage.flags.list()) {
      if (!flag.scheduleId) continue;
      const state = states.get(flag.scheduleId);
      if (!state) continue;
      used.add(flag.scheduleId);
      const until = flag.overrideUntil ?? null;
      const overriding = until !== null && now < until;
      if (overriding) wake = Math.min(wake, until);
      const want = overriding ? flag.value : state.open;
      if (flag.value === want && (until === null || overriding)) continue;
      const after = await storage.transaction(async (tx) => {
        const f = await tx.flags.get(flag.id);
        // Changed meanwhile (by hand or unlinked): the event that change published brings us back.
        if (!f || f.scheduleId !== flag.scheduleId || f.value !== flag.value || (f.overrideUntil ?? null) !== until) return undefined;
        return tx.flags.update(flag.id, { value: want, overrideUntil: null });
      });
      if (after) {
        this.deps.logger.info({ flag: after.id, value: after.value, schedule: flag.scheduleId }, 'schedule changed a flag');
        changed.push({ t: 'flag-changed', id: after.id, value: after.value, byKeeper: true });
      }
    }

    const seen = new Set<string>();
    for (const w of await storage.widgets.list()) {
      if (!w.scheduleId) continue;
      const state = states.get(w.scheduleId);
      if (!state) continue;
      used.add(w.scheduleId);
      seen.add(w.uuid);
      const before = this.#widgetOpen.get(w.uuid);
      this.#widgetOpen.set(w.uuid, state.open);
      if (before !== undefined && before !== state.open) changed.push({ t: 'widget-updated', uuid: w.uuid, byKeeper: true });
    }
    for (const uuid of this.#widgetOpen.keys()) if (!seen.has(uuid)) this.#widgetOpen.delete(uuid);

    for (const id of used) {
      const next = states.get(id)?.nextChange;
      if (next !== null && next !== undefined) wake = Math.min(wake, next);
    }
    for (const ev of changed) bus.publish(DOMAIN_TOPIC, ev);
    this.#arm(wake);
  }

  #arm(at: number): void {
    this.#timer?.cancel();
    if (!this.#active) return;
    const now = this.deps.clock.now();
    const ms = Math.min(MAX_SLEEP_MS, Math.max(0, at - now) + LATE_MS);
    this.#timer = this.deps.clock.setTimeout(() => void this.kick(), ms);
  }
}

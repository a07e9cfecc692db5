/**
 * A user's presence: the last value set by any source (a console's
 * SetPresence or the presence API), persisted in storage.presence. What
 * visitors see also depends on calls (in a call → busy) — spec 3 and 8.
 *
 * Also the registry of connected consoles per user, because the grace period
 * after the last console leaves is a presence rule.
 *
 * Cluster mode (a `PresenceShare`): every process keeps the presence of
 * every user (it needs it for its visitors' Info and for call verdicts) and
 * learns the others' changes as PresenceEvents; which calls a user is in is
 * kept per call and per process, so that the calls of a process that died
 * stop making its agents look busy. Consoles are registered installation-wide
 * (a ConsoleRegistry in Redis), so the grace period starts when a user's last
 * console anywhere is gone, and ends once, wherever it was started.
 */
import type { Presence, VisiblePresence } from '@cw/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { PresenceRecord, Storage } from '../storage/types.js';
import type { ConsoleRef, ConsoleRegistry } from './console-registry.js';

export interface PresenceChange {
  userId: string;
  presence: Presence;
  visible: VisiblePresence;
  /** the set value changed (not only the visible one) */
  presenceChanged: boolean;
  /** the change was made by another process (it did what follows from it there) */
  remote?: true;
}

export type PresenceListener = (c: PresenceChange) => void;

/** What processes tell each other about presence (cluster mode). */
export type PresenceEvent =
  /** a presence set by a console (or after a grace period) on `node` */
  | { t: 'set'; node: string; userId: string; presence: Presence; source: 'console' | 'api'; at: number }
  /** the user entered (on) or left a call owned by `node` */
  | { t: 'call'; node: string; userId: string; call: string; on: boolean };

/** The cluster side of presence: carries events to the other processes and keeps who is in which call. */
export interface PresenceShare {
  /** this process */
  readonly node: string;
  /** installation-wide console registry and grace periods */
  readonly registry: ConsoleRegistry;
  publish(ev: PresenceEvent): void;
  /** Records (or forgets) a call of this process in the shared in-call table. */
  recordCall(call: string, userId: string, on: boolean): void;
  /** Every call any live process is in: call → user and node. */
  inCallSnapshot(): Promise<{ call: string; userId: string; node: string }[]>;
}

interface State {
  presence: Presence;
  source: 'console' | 'api';
  /** when it was set (orders changes that arrive from several processes) */
  at: number;
}

/** Visible presence of one user's set value and call state. */
export function visibleOf(presence: Presence, inCall: boolean): VisiblePresence {
  if (presence === 'offline') return 'offline';
  if (presence === 'away' || presence === 'busy') return 'busy';
  return inCall ? 'busy' : 'online';
}

export interface PresenceServiceDeps {
  storage: Pick<Storage, 'presence'>;
  clock: Clock;
  graceMs: number;
  logger: Logger;
  /** cluster mode; without it this process is the whole installation */
  share?: PresenceShare;
}

export class PresenceService {
  #state = new Map<string, State>();
  /** consoles of this process */
  #consoles = new Map<string, Set<string>>();
  /** calls each user is in: call key → node that owns the call */
  #calls = new Map<string, Map<string, string>>();
  #anonCalls = 0;
  #grace = new Map<string, { cancel(): void }>();
  #listeners = new Set<PresenceListener>();
  #stopped = false;
  readonly #node: string;

  constructor(private readonly deps: PresenceServiceDeps) {
    this.#node = deps.share?.node ?? 'local';
  }

  /** Loads persisted presence (and, in a cluster, who is in a call). Console-set presence without a console falls to offline after the grace period. */
  async init(): Promise<void> {
    const all = await this.deps.storage.presence.list();
    for (const r of all) this.#state.set(r.userId, { presence: r.presence, source: r.source, at: r.updatedAt });
    if (this.deps.share) for (const c of await this.deps.share.inCallSnapshot()) this.#callEntry(c.userId, c.call, c.node, true);
    for (const r of all) if (r.source === 'console' && r.presence !== 'offline') this.#graceIfNoConsole(r.userId);
  }

  /** Cancels timers; no more changes are persisted. */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#grace.values()) t.cancel();
    this.#grace.clear();
  }

  /** Subscribes to changes of set or visible presence. Returns an unsubscribe function. */
  onChange(fn: PresenceListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  presence(userId: string): Presence {
    return this.#state.get(userId)?.presence ?? 'offline';
  }

  inCall(userId: string): boolean {
    return (this.#calls.get(userId)?.size ?? 0) > 0;
  }

  visible(userId: string): VisiblePresence {
    return visibleOf(this.presence(userId), this.inCall(userId));
  }

  /** Console ids of a user (this process). */
  consolesOf(userId: string): string[] {
    return [...(this.#consoles.get(userId) ?? [])];
  }

  /** A user's consoles with the process holding each: installation-wide in a cluster. */
  async consoleRefs(userId: string): Promise<ConsoleRef[]> {
    if (this.deps.share) return this.deps.share.registry.consolesOf(userId);
    return this.consolesOf(userId).map((id) => ({ id, node: this.#node }));
  }

  /** A console connected: presence itself does not change, a pending fall to offline is cancelled. */
  handleConsoleConnected(userId: string, consoleId: string): void {
    let set = this.#consoles.get(userId);
    if (!set) this.#consoles.set(userId, (set = new Set()));
    set.add(consoleId);
    this.#cancelGrace(userId);
    this.deps.share?.registry.add(userId, consoleId).catch((err) => this.deps.logger.warn({ err, userId }, 'could not register a console'));
  }

  /** A console went away; after the last one (anywhere), console-set presence falls to offline after the grace period. */
  handleConsoleDisconnected(userId: string, consoleId: string): void {
    const set = this.#consoles.get(userId);
    if (!set?.delete(consoleId)) return;
    if (set.size === 0) this.#consoles.delete(userId);
    const share = this.deps.share;
    if (!share) {
      if (set.size === 0) this.#graceIfConsoleSet(userId);
      return;
    }
    share.registry.remove(userId, consoleId).then(
      (left) => left === 0 && this.#graceIfConsoleSet(userId),
      (err) => {
        // Redis is away: start the grace period here; its end checks the registry again.
        this.deps.logger.warn({ err, userId }, 'could not deregister a console');
        if (set.size === 0) this.#graceIfConsoleSet(userId);
      },
    );
  }

  /**
   * Sets presence from a console or the API: persisted, then announced to the
   * listeners when the set or visible value changed. Resolves true when it
   * announced a change (a console that set an unchanged value is answered on its own).
   */
  async handleSetPresence(userId: string, presence: Presence, source: 'console' | 'api'): Promise<boolean> {
    if (this.#stopped) return false;
    // The API may set a presence while no console is connected and the last
    // console-set value was pending its fall to offline: the API value wins.
    this.#cancelGrace(userId);
    const rec: PresenceRecord = { userId, presence, source, updatedAt: this.deps.clock.now() };
    await this.deps.storage.presence.set(rec);
    this.deps.share?.publish({ t: 'set', node: this.#node, userId, presence, source, at: rec.updatedAt });
    return this.#apply(userId, { presence, source, at: rec.updatedAt });
  }

  /** Applies a presence that another part of the server (or another process) already stored: the presence API. */
  handleExternalPresence(userId: string, presence: Presence, source: 'console' | 'api', at?: number): void {
    if (this.#stopped) return;
    this.#cancelGrace(userId);
    const now = at ?? this.deps.clock.now();
    if (at !== undefined && now < (this.#state.get(userId)?.at ?? -Infinity)) return;
    this.#apply(userId, { presence, source, at: now });
  }

  /** Marks the user in (or out of) a call; visible presence is busy while in any. Without a call id, calls are counted. */
  handleCallState(userId: string, inCall: boolean, callId?: string): void {
    const key = callId ?? (inCall ? `#${++this.#anonCalls}` : this.#calls.get(userId)?.keys().next().value);
    if (key === undefined) return;
    this.#callEntry(userId, key, this.#node, inCall);
    if (callId && this.deps.share) {
      this.deps.share.recordCall(callId, userId, inCall);
      this.deps.share.publish({ t: 'call', node: this.#node, userId, call: callId, on: inCall });
    }
  }

  /** A presence event of another process (cluster mode). */
  handleEvent(ev: PresenceEvent): void {
    if (this.#stopped || ev.node === this.#node) return;
    if (ev.t === 'set') {
      if (ev.at < (this.#state.get(ev.userId)?.at ?? -Infinity)) return;
      this.#apply(ev.userId, { presence: ev.presence, source: ev.source, at: ev.at }, true);
    } else this.#callEntry(ev.userId, ev.call, ev.node, ev.on, true);
  }

  /** A process died: the calls it owned no longer make anyone busy. `own`: this process is its reaper and announces the changes. */
  handleNodeGone(node: string, own = false): void {
    for (const [userId, calls] of [...this.#calls]) for (const [call, n] of [...calls]) if (n === node) this.#callEntry(userId, call, n, false, !own);
  }

  /** The reaper of a dead process: users whose consoles were all there get their grace period. */
  handleConsolesLost(userIds: string[]): void {
    for (const userId of userIds) this.#graceIfNoConsole(userId);
  }

  /**
   * After Redis was away (or restarted empty): this process's consoles and
   * calls are written again, and what it may have missed is read again —
   * presence from storage, calls from the shared table.
   */
  async resync(): Promise<void> {
    const share = this.deps.share;
    if (!share || this.#stopped) return;
    for (const [userId, set] of this.#consoles) for (const id of set) await share.registry.add(userId, id);
    for (const [userId, calls] of this.#calls) for (const [call, node] of calls) if (node === this.#node && !call.startsWith('#')) share.recordCall(call, userId, true);
    for (const r of await this.deps.storage.presence.list()) {
      const cur = this.#state.get(r.userId);
      if (!cur || r.updatedAt > cur.at) this.#apply(r.userId, { presence: r.presence, source: r.source, at: r.updatedAt }, true);
    }
    const snapshot = await share.inCallSnapshot();
    const seen = new Set(snapshot.map((c) => c.call));
    for (const c of snapshot) this.#callEntry(c.userId, c.call, c.node, true, true);
    for (const [userId, calls] of [...this.#calls])
      for (const [call, node] of [...calls]) if (node !== this.#node && !seen.has(call)) this.#callEntry(userId, call, node, false, true);
  }

  /** Adds or removes one call of a user; announces a change of what visitors see. */
  #callEntry(userId: string, call: string, node: string, on: boolean, remote = false): void {
    const before = this.visible(userId);
    let calls = this.#calls.get(userId);
    if (on) {
      if (!calls) this.#calls.set(userId, (calls = new Map()));
      calls.set(call, node);
    } else if (calls?.delete(call) && calls.size === 0) this.#calls.delete(userId);
    const after = this.visible(userId);
    if (before !== after) this.#emit({ userId, presence: this.presence(userId), visible: after, presenceChanged: false, ...(remote ? { remote: true as const } : {}) });
  }

  /** Stores the new state; announces and returns true when the set or visible presence changed. */
  #apply(userId: string, next: State, remote = false): boolean {
    const prev = this.#state.get(userId);
    const beforeP = prev?.presence ?? 'offline';
    const beforeV = this.visible(userId);
    this.#state.set(userId, next);
    const afterV = this.visible(userId);
    if (beforeP === next.presence && beforeV === afterV) return false;
    this.#emit({ userId, presence: next.presence, visible: afterV, presenceChanged: beforeP !== next.presence, ...(remote ? { remote: true as const } : {}) });
    return true;
  }

  #emit(c: PresenceChange): void {
    for (const fn of [...this.#listeners]) {
      try {
        fn(c);
      } catch (err) {
        this.deps.logger.error({ err, userId: c.userId }, 'presence listener threw');
      }
    }
  }

  #graceIfConsoleSet(userId: string): void {
    const st = this.#state.get(userId);
    if (st && st.source === 'console' && st.presence !== 'offline') this.#startGrace(userId);
  }

  /** At start, or for a dead process's users: a grace period unless a console is connected somewhere. */
  #graceIfNoConsole(userId: string): void {
    const share = this.deps.share;
    if (!share) return this.#graceIfConsoleSet(userId);
    share.registry.consolesOf(userId).then(
      (c) => c.length === 0 && this.#graceIfConsoleSet(userId),
      (err) => this.deps.logger.warn({ err, userId }, 'could not read the console registry'),
    );
  }

  #startGrace(userId: string): void {
    if (this.#stopped) return;
    this.#cancelGrace(userId);
    const share = this.deps.share;
    if (!share) {
      this.#grace.set(userId, this.deps.clock.setTimeout(() => void this.#graceEnds(userId, ''), this.deps.graceMs));
      return;
    }
    // In a cluster the period is registered first: a console connecting anywhere, or a later start, replaces it.
    let cancelled = false;
    let timer: { cancel(): void } | undefined;
    this.#grace.set(userId, {
      cancel: () => {
        cancelled = true;
        timer?.cancel();
      },
    });
    share.registry.graceStart(userId, this.deps.graceMs).then(
      (token) => {
        if (!cancelled) timer = this.deps.clock.setTimeout(() => void this.#graceEnds(userId, token), this.deps.graceMs);
      },
      (err) => this.deps.logger.warn({ err, userId }, 'could not start a grace period'),
    );
  }

  async #graceEnds(userId: string, token: string): Promise<void> {
    this.#grace.delete(userId);
    if (this.#stopped || this.#consoles.has(userId)) return;
    const st = this.#state.get(userId);
    if (!st || st.source !== 'console' || st.presence === 'offline') return;
    try {
      if (this.deps.share && !(await this.deps.share.registry.graceDue(userId, token))) return;
      await this.handleSetPresence(userId, 'offline', 'console');
    } catch (err) {
      this.deps.logger.error({ err, userId }, 'could not store offline after grace period');
    }
  }

  #cancelGrace(userId: string): void {
    const t = this.#grace.get(userId);
    if (t) {
      t.cancel();
      this.#grace.delete(userId);
    }
  }
}

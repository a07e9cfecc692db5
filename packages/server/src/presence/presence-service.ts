/**
 * A user's presence: the last value set by any source (a console's
 * SetPresence or the presence API), persisted in storage.presence. What
 * visitors see also depends on calls (in a call → busy) — spec 3 and 8.
 *
 * Also the registry of connected consoles per user, because the grace period
 * after the last console leaves is a presence rule.
 *
 * Cluster mode will need: the console registry and in-call counts shared
 * (e.g. Redis hashes with per-process leases), the grace timer run by one
 * owner, and `changed` events fanned out on the bus.
 */
import type { Presence, Reach, VisiblePresence } from '@cw/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { PresenceRecord, Storage } from '../storage/types.js';

export interface PresenceChange {
  userId: string;
  presence: Presence;
  visible: VisiblePresence;
  /** the set value changed (not only the visible one) */
  presenceChanged: boolean;
}

export type PresenceListener = (c: PresenceChange) => void;

interface State {
  presence: Presence;
  source: 'console' | 'api';
}

/**
 * What a user is, from the value set by consoles/API and the phone's
 * presence from the PBX (spec 9). `phone`: the PBX's word (the set value only
 * while the PBX has told nothing); `both`: online if either is online and
 * neither is busy.
 */
export function combinedPresence(set: Presence, reach: Reach, phone: Presence | undefined): Presence {
  if (reach === 'console') return set;
  if (reach === 'phone') return phone ?? set;
  const p = phone ?? 'offline';
  if (set === 'busy' || p === 'busy') return 'busy';
  if (set === 'online' || p === 'online') return 'online';
  if (set === 'away' || p === 'away') return 'away';
  return 'offline';
}

/** Visible presence of one user's set value and call state. */
export function visibleOf(presence: Presence, inCall: boolean): VisiblePresence {
  if (presence === 'offline') return 'offline';
  if (presence === 'away' || presence === 'busy') return 'busy';
  return inCall ? 'busy' : 'online';
}

export class PresenceService {
  #state = new Map<string, State>();
  #consoles = new Map<string, Set<string>>();
  #inCall = new Map<string, number>();
  #grace = new Map<string, { cancel(): void }>();
  #listeners = new Set<PresenceListener>();
  #stopped = false;
  /** users reached by phone: their reach and what the PBX last said */
  #phone = new Map<string, { reach: Reach; presence?: Presence }>();

  constructor(
    private readonly deps: { storage: Pick<Storage, 'presence'>; clock: Clock; graceMs: number; logger: Logger },
  ) {}

  /** Loads persisted presence. Console-set presence without a console falls to offline after the grace period. */
  async init(): Promise<void> {
    const all = await this.deps.storage.presence.list();
    for (const r of all) {
      this.#state.set(r.userId, { presence: r.presence, source: r.source });
      if (r.source === 'console' && r.presence !== 'offline') this.#startGrace(r.userId);
    }
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
    return (this.#inCall.get(userId) ?? 0) > 0;
  }

  visible(userId: string): VisiblePresence {
    const ph = this.#phone.get(userId);
    const p = ph ? combinedPresence(this.presence(userId), ph.reach, ph.presence) : this.presence(userId);
    return visibleOf(p, this.inCall(userId));
  }

  /** The phone's presence from the PBX, if the user is reached by phone and the PBX told it. */
  phonePresence(userId: string): Presence | undefined {
    return this.#phone.get(userId)?.presence;
  }

  /**
   * Where a user is reached and what the PBX says of their phone (undefined:
   * nothing known). Announced like any change when what visitors see changes.
   */
  handlePhonePresence(userId: string, reach: Reach, presence: Presence | undefined): void {
    if (this.#stopped) return;
    const before = this.visible(userId);
    if (reach === 'console') this.#phone.delete(userId);
    else this.#phone.set(userId, { reach, presence });
    const after = this.visible(userId);
    if (before !== after) this.#emit({ userId, presence: this.presence(userId), visible: after, presenceChanged: false });
  }

  /** Console ids of a user (local process). */
  consolesOf(userId: string): string[] {
    return [...(this.#consoles.get(userId) ?? [])];
  }

  /** A console connected: presence itself does not change, a pending fall to offline is cancelled. */
  handleConsoleConnected(userId: string, consoleId: string): void {
    let set = this.#consoles.get(userId);
    if (!set) this.#consoles.set(userId, (set = new Set()));
    set.add(consoleId);
    this.#cancelGrace(userId);
  }

  /** A console went away; after the last one, console-set presence falls to offline after the grace period. */
  handleConsoleDisconnected(userId: string, consoleId: string): void {
    const set = this.#consoles.get(userId);
    if (!set) return;
    set.delete(consoleId);
    if (set.size > 0) return;
    this.#consoles.delete(userId);
    const st = this.#state.get(userId);
    if (st && st.source === 'console' && st.presence !== 'offline') this.#startGrace(userId);
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
    return this.#apply(userId, { presence, source });
  }

  /** Applies a presence that another part of the server already stored (the presence API). */
  handleExternalPresence(userId: string, presence: Presence, source: 'console' | 'api'): void {
    if (this.#stopped) return;
    this.#cancelGrace(userId);
    this.#apply(userId, { presence, source });
  }

  /** Marks the user in (or out of) one more call; visible presence is busy while in any. */
  handleCallState(userId: string, inCall: boolean): void {
    const before = this.visible(userId);
    const n = Math.max(0, (this.#inCall.get(userId) ?? 0) + (inCall ? 1 : -1));
    if (n === 0) this.#inCall.delete(userId);
    else this.#inCall.set(userId, n);
    const after = this.visible(userId);
    if (before !== after) this.#emit({ userId, presence: this.presence(userId), visible: after, presenceChanged: false });
  }

  /** Stores the new state; announces and returns true when the set or visible presence changed. */
  #apply(userId: string, next: State): boolean {
    const prev = this.#state.get(userId);
    const beforeP = prev?.presence ?? 'offline';
    const beforeV = this.visible(userId);
    this.#state.set(userId, next);
    const afterV = this.visible(userId);
    if (beforeP === next.presence && beforeV === afterV) return false;
    this.#emit({ userId, presence: next.presence, visible: afterV, presenceChanged: beforeP !== next.presence });
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

  #startGrace(userId: string): void {
    this.#cancelGrace(userId);
    const t = this.deps.clock.setTimeout(() => {
      this.#grace.delete(userId);
      if (this.#stopped || this.#consoles.has(userId)) return;
      const st = this.#state.get(userId);
      if (!st || st.source !== 'console' || st.presence === 'offline') return;
      this.handleSetPresence(userId, 'offline', 'console').catch((err) =>
        this.deps.logger.error({ err, userId }, 'could not store offline after grace period'),
      );
    }, this.deps.graceMs);
    this.#grace.set(userId, t);
  }

  #cancelGrace(userId: string): void {
    const t = this.#grace.get(userId);
    if (t) {
      t.cancel();
      this.#grace.delete(userId);
    }
  }
}

/**
 * Keeps the visitors of each open widget up to date (spec 2.1, 8): holds the
 * current Info of every agent of every widget that has visitors in this
 * process, recomputes only the widgets a change touches (a user's presence,
 * a flag, the directory), and publishes only Infos whose content changed —
 * serialised once, sent as is to every visitor. Saves (reload) and
 * deletions are pushed the same way.
 *
 * Cluster mode will need: WidgetEvents are already published on the bus
 * (`widget:<uuid>`), but every process would compute and publish the same
 * change; either a process-local topic per process, or one elected publisher
 * per widget, and presence shared between processes so the results agree.
 */
import type { InfoMsg } from '@cw/protocol';
import type { Logger } from 'pino';
import type { Bus } from '../bus/types.js';
import type { WidgetRecord } from '../storage/types.js';
import { reachableUsers, resolveAgent, targetVisible, type PresenceView, type ResolvedAgent } from '../presence/availability.js';
import type { Catalog } from '../domain/widget-directory-cache.js';
import { FanOut, type WidgetListener } from './fan-out.js';
import { buildInfo, sessionExtras } from './info.js';
import { topics, type InfoEntry, type WidgetEvent } from '../domain/outbox.js';

export type { WidgetListener } from './fan-out.js';

interface Computed {
  infos: InfoEntry[];
  /** what the infos were built from, for presence changes (no storage, no await) */
  resolved: ResolvedAgent[];
  contact: WidgetRecord['contact'];
  /** an agent's sipId is in the directory under nobody: only a full recompute may find it */
  unresolved: boolean;
  /** user ids whose presence this widget shows */
  users: Set<string>;
  /** whether an agent follows a flag */
  flags: boolean;
}

interface Watched {
  listeners: Set<WidgetListener>;
  fanOut: FanOut;
  off: () => void;
  state: Computed | undefined;
}

export class WidgetHub {
  #watched = new Map<string, Watched>();
  #dirty = new Set<string>();
  #running: Promise<void> | undefined;

  constructor(private readonly deps: { catalog: Catalog; presence: PresenceView; bus: Bus; logger: Logger; now?: () => number }) {}

  /** Resolves every agent of a widget, in order. */
  async resolveAll(w: WidgetRecord): Promise<ResolvedAgent[]> {
    return Promise.all(w.agents.map((e) => resolveAgent(this.deps.catalog, this.deps.presence, e)));
  }

  /** Starts delivering a widget's events to `l` (one bus subscription per widget, not per visitor). */
  watch(uuid: string, l: WidgetListener): void {
    let w = this.#watched.get(uuid);
    if (!w) {
      const listeners = new Set<WidgetListener>();
      const fanOut = new FanOut(listeners);
      const off = this.deps.bus.subscribe(topics.widget(uuid), (ev) => fanOut.push(ev as WidgetEvent));
      this.#watched.set(uuid, (w = { listeners, fanOut, off, state: undefined }));
    }
    w.listeners.add(l);
  }

  unwatch(uuid: string, l: WidgetListener): void {
    const w = this.#watched.get(uuid);
    if (!w) return;
    w.listeners.delete(l);
    if (w.listeners.size === 0) {
      w.off();
      w.fanOut.stop();
      this.#watched.delete(uuid);
    }
  }

  /** The current Infos of a widget: kept ones when it is watched, else computed. */
  async current(w: WidgetRecord): Promise<InfoEntry[]> {
    const kept = this.#watched.get(w.uuid)?.state;
    if (kept) return kept.infos;
    const c = await this.#compute(w);
    const watched = this.#watched.get(w.uuid);
    if (watched && !watched.state) watched.state = c;
    return watched?.state?.infos ?? c.infos;
  }

  /**
   * A user's presence changed: the widgets showing them get new Infos. Only
   * the visible presence can change, so when nothing else is being
   * recomputed this happens at once, without storage or awaits: the fan-out
   * starts within the caller's turn (e.g. before the presence API replies).
   */
  handlePresence(userId: string): Promise<void> {
    for (const [uuid, w] of this.#watched) {
      if (!w.state?.users.has(userId)) continue;
      // A recompute in flight may have read the presence before this change: let it run again after.
      if (this.#running || this.#dirty.has(uuid) || !this.#applyPresence(uuid, w)) this.#dirty.add(uuid);
    }
    return this.#dirty.size ? this.#run() : (this.#running ?? Promise.resolve());
  }

  /** Rebuilds the Infos whose visible presence changed from the kept resolution; false when a full recompute is needed. */
  #applyPresence(uuid: string, w: Watched): boolean {
    const c = w.state!;
    if (c.unresolved) return false;
    let resolved: ResolvedAgent[] | undefined;
    let infos: InfoEntry[] | undefined;
    const changed: InfoEntry[] = [];
    c.resolved.forEach((r, i) => {
      // Same rule as resolveAgent: only presence-driven entries follow presence.
      const mode = r.entry.availability;
      if (mode === 'always' || mode === 'inactive' || mode === 'boolean') return;
      const visible = targetVisible(r.target, this.deps.presence);
      if (visible === r.visible) return;
      const next: ResolvedAgent = { ...r, visible, ringUserIds: visible === 'online' ? reachableUsers(r.target, this.deps.presence, false) : [] };
      const e = entryOf(buildInfo({ contact: c.contact }, next, i));
      (resolved ??= [...c.resolved])[i] = next;
      if (e.json === c.infos[i]!.json) return;
      (infos ??= [...c.infos])[i] = e;
      changed.push(e);
    });
    // A new state object: a visitor still starting holds the old Info list and compares against it.
    if (resolved) w.state = { ...c, resolved, infos: infos ?? c.infos };
    for (const e of changed) this.#publish(uuid, { k: 'info', ...e });
    return true;
  }

  /** A flag changed: widgets with flag-driven agents are recomputed. */
  handleFlag(): Promise<void> {
    for (const [uuid, w] of this.#watched) if (w.state?.flags) this.#dirty.add(uuid);
    return this.#run();
  }

  /** The directory changed: every watched widget is recomputed. */
  refreshAll(): Promise<void> {
    for (const uuid of this.#watched.keys()) this.#dirty.add(uuid);
    return this.#run();
  }

  /** The widget was saved: open visitors get Session, Remove and Info. */
  async reload(uuid: string): Promise<void> {
    const watched = this.#watched.get(uuid);
    if (!watched) return;
    const w = await this.deps.catalog.widget(uuid);
    if (!w) return this.deleted(uuid);
    const c = await this.#compute(w);
    const now = new Set(c.infos.map((e) => e.msg.id));
    const removed = (watched.state?.infos ?? []).map((e) => e.msg.id).filter((id) => !now.has(id));
    watched.state = c;
    this.#publish(uuid, {
      k: 'reload',
      widget: { name: w.name, lang: w.lang, type: w.type, appearance: w.appearance, contact: w.contact, allowedOrigins: w.allowedOrigins, texts: w.texts, extras: await sessionExtras(w, this.deps.catalog, (this.deps.now ?? Date.now)()) },
      removed,
      infos: c.infos,
    });
  }

  /** The widget was deleted: open visitors get unknown-widget and close. */
  deleted(uuid: string): void {
    this.#publish(uuid, { k: 'deleted' });
  }

  /** Drops every subscription (drain). */
  stop(): void {
    for (const w of this.#watched.values()) {
      w.off();
      w.fanOut.stop();
    }
    this.#watched.clear();
    this.#dirty.clear();
  }

  async #compute(w: WidgetRecord): Promise<Computed> {
    const resolved = await this.resolveAll(w);
    const users = new Set<string>();
    for (const r of resolved) {
      if (r.target.kind === 'user') users.add(r.target.user.id);
      else if (r.target.kind === 'group') for (const m of r.target.members) users.add(m.id);
    }
    const infos = resolved.map((r, i) => entryOf(buildInfo(w, r, i)));
    const unresolved = resolved.some((r) => r.target.kind === 'none');
    return { infos, resolved, contact: w.contact, unresolved, users, flags: w.agents.some((a) => a.availability === 'boolean') };
  }

  /** Recomputes dirty widgets one after another; a burst of changes coalesces. */
  #run(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = (async () => {
      while (this.#dirty.size) {
        const uuid = this.#dirty.values().next().value!;
        this.#dirty.delete(uuid);
        try {
          await this.#refresh(uuid);
        } catch (err) {
          this.deps.logger.error({ err, uuid }, 'widget refresh failed');
        }
      }
    })().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #refresh(uuid: string): Promise<void> {
    const watched = this.#watched.get(uuid);
    if (!watched) return;
    const w = await this.deps.catalog.widget(uuid);
    if (!w) return;
    const c = await this.#compute(w);
    const before = new Map((watched.state?.infos ?? []).map((e) => [e.msg.id, e.json]));
    watched.state = c;
    for (const e of c.infos) if (before.get(e.msg.id) !== e.json) this.#publish(uuid, { k: 'info', ...e });
  }

  #publish(uuid: string, ev: WidgetEvent): void {
    this.deps.bus.publish(topics.widget(uuid), ev);
  }
}

/** An Info with its serialised form, made once for every visitor. */
export function entryOf(msg: InfoMsg): InfoEntry {
  return { msg, json: JSON.stringify(msg) };
}

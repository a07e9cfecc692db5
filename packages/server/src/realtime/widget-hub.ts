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
import { resolveAgent, type PresenceView, type ResolvedAgent } from '../presence/availability.js';
import type { Catalog } from '../presence/catalog.js';
import { FanOut, type WidgetListener } from './fan-out.js';
import { buildInfo } from './info.js';
import { topics, type InfoEntry, type WidgetEvent } from './outbox.js';

export type { WidgetListener } from './fan-out.js';

interface Computed {
  infos: InfoEntry[];
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

  constructor(private readonly deps: { catalog: Catalog; presence: PresenceView; bus: Bus; logger: Logger }) {}

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

  /** A user's presence changed: the widgets showing them are recomputed. */
  handlePresence(userId: string): Promise<void> {
    for (const [uuid, w] of this.#watched) if (w.state?.users.has(userId)) this.#dirty.add(uuid);
    return this.#run();
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
      widget: { name: w.name, lang: w.lang, type: w.type, appearance: w.appearance, contact: w.contact, allowedOrigins: w.allowedOrigins },
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
    return { infos, users, flags: w.agents.some((a) => a.availability === 'boolean') };
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

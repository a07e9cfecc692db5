/**
 * Keeps the visitors of each open widget up to date: recomputes Info when
 * presence, flags or the directory change and publishes only the ones whose
 * content changed; pushes saves (reload) and deletions (spec 2.1, 8).
 *
 * Cluster mode will need: each process refreshes only widgets with local
 * visitors and publishes on a process-local topic, or one elected process
 * publishes for all; presence must be shared for the result to agree.
 */
import type { InfoMsg } from '@cw/protocol';
import type { Logger } from 'pino';
import type { Bus } from '../bus/types.js';
import type { Storage, WidgetRecord } from '../storage/types.js';
import { resolveAgent, type PresenceView, type ResolvedAgent } from '../presence/availability.js';
import { buildInfo } from './info.js';
import { topics, type WidgetEvent } from './outbox.js';

interface Watched {
  count: number;
  /** last published Info per agent id, as JSON */
  last: Map<string, string> | undefined;
}

export class WidgetHub {
  #watched = new Map<string, Watched>();
  #running: Promise<void> | undefined;
  #again = false;

  constructor(
    private readonly deps: { storage: Pick<Storage, 'widgets' | 'users' | 'groups' | 'flags'>; presence: PresenceView; bus: Bus; logger: Logger },
  ) {}

  /** Resolves every agent of a widget, in order. */
  async resolveAll(w: WidgetRecord): Promise<ResolvedAgent[]> {
    const out: ResolvedAgent[] = [];
    for (const e of w.agents) out.push(await resolveAgent(this.deps.storage, this.deps.presence, e));
    return out;
  }

  /** Current Info of every agent of a widget. */
  async infos(w: WidgetRecord): Promise<InfoMsg[]> {
    return (await this.resolveAll(w)).map((r, i) => buildInfo(w, r, i));
  }

  /** A visitor opened the widget; the first one's Infos are the baseline for changes. */
  join(uuid: string, infos: InfoMsg[]): void {
    const w = this.#watched.get(uuid);
    if (w) {
      w.count++;
      w.last ??= new Map(infos.map((i) => [i.id, JSON.stringify(i)]));
    } else this.#watched.set(uuid, { count: 1, last: new Map(infos.map((i) => [i.id, JSON.stringify(i)])) });
  }

  leave(uuid: string): void {
    const w = this.#watched.get(uuid);
    if (w && --w.count <= 0) this.#watched.delete(uuid);
  }

  /** Recomputes all watched widgets (coalesced: a burst of changes costs one extra pass). */
  refreshAll(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        for (const uuid of [...this.#watched.keys()]) {
          try {
            await this.#refresh(uuid);
          } catch (err) {
            this.deps.logger.error({ err, uuid }, 'widget refresh failed');
          }
        }
      } while (this.#again);
    })().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** The widget was saved: open visitors get Session, Remove and Info. */
  async reload(uuid: string): Promise<void> {
    if (!this.#watched.has(uuid)) return;
    const w = await this.deps.storage.widgets.get(uuid);
    if (!w) return this.deleted(uuid);
    const infos = await this.infos(w);
    const watched = this.#watched.get(uuid);
    if (watched) watched.last = new Map(infos.map((i) => [i.id, JSON.stringify(i)]));
    this.#publish(uuid, {
      k: 'reload',
      widget: { name: w.name, lang: w.lang, type: w.type, appearance: w.appearance, contact: w.contact, allowedOrigins: w.allowedOrigins },
      infos,
    });
  }

  /** The widget was deleted: open visitors get unknown-widget and close. */
  deleted(uuid: string): void {
    this.#publish(uuid, { k: 'deleted' });
  }

  async #refresh(uuid: string): Promise<void> {
    const watched = this.#watched.get(uuid);
    if (!watched) return;
    const w = await this.deps.storage.widgets.get(uuid);
    if (!w) return;
    const infos = await this.infos(w);
    const last = watched.last ?? new Map<string, string>();
    for (const info of infos) {
      const json = JSON.stringify(info);
      if (last.get(info.id) === json) continue;
      last.set(info.id, json);
      this.#publish(uuid, { k: 'info', msg: info });
    }
    watched.last = last;
  }

  #publish(uuid: string, ev: WidgetEvent): void {
    this.deps.bus.publish(topics.widget(uuid), ev);
  }
}

/**
 * The widgets, the directory (users and groups) and the flags — what the
 * realtime side looks up on every message and every presence change — read
 * through one `Catalog` interface. `WidgetDirectoryCache` keeps them in memory and forgets them on the DomainEvents
 * the HTTP API publishes after each commit, so a presence change costs no
 * database round trip. `storageCatalog` reads storage every time.
 *
 * Cluster mode: every process receives the DomainEvents over the bus and
 * invalidates its own cache; nothing else is needed.
 */
import type { Clock } from '../clock.js';
import type { DomainEvent } from '../bus/types.js';
import type { FlagRecord, ScheduleRecord, Storage, UserRecord, WidgetRecord } from '../storage/types.js';
import { resolveDirectory, type DirectoryTarget } from '../presence/directory.js';

export interface Catalog {
  widget(uuid: string): Promise<WidgetRecord | undefined>;
  /** a sipId as a directory user, group (with members) or nothing */
  directory(sipId: string): Promise<DirectoryTarget>;
  /** a flag by id, or by name */
  flag(ref: string): Promise<FlagRecord | undefined>;
  user(id: string): Promise<UserRecord | undefined>;
  /** a schedule by id (spec 11) */
  schedule?(id: string): Promise<ScheduleRecord | undefined>;
}

type Src = Pick<Storage, 'widgets' | 'users' | 'groups' | 'flags'> & Partial<Pick<Storage, 'schedules'>>;

/** A Catalog that reads storage every time. */
export function storageCatalog(storage: Src): Catalog {
  return {
    widget: (uuid) => storage.widgets.get(uuid),
    directory: (sipId) => resolveDirectory(storage, sipId),
    flag: async (ref) => (await storage.flags.get(ref)) ?? (await storage.flags.list()).find((f) => f.name === ref),
    user: (id) => storage.users.get(id),
    schedule: async (id) => storage.schedules?.get(id),
  };
}

/** How long "no such sipId" is believed (users created without a directory-changed event, e.g. by tests). */
const MISS_TTL_MS = 2000;
/** Widgets kept at most (pictures make them large). */
const MAX_WIDGETS = 500;

/** A Catalog with an in-memory cache, invalidated by DomainEvents. */
export class WidgetDirectoryCache implements Catalog {
  #widgets = new Map<string, Promise<WidgetRecord | undefined>>();
  #dir = new Map<string, { at: number; p: Promise<DirectoryTarget> }>();
  #users = new Map<string, Promise<UserRecord | undefined>>();
  #flags: Promise<FlagRecord[]> | undefined;
  #schedules = new Map<string, Promise<ScheduleRecord | undefined>>();
  #inner: Catalog;

  constructor(
    private readonly storage: Src,
    private readonly clock: Clock,
  ) {
    this.#inner = storageCatalog(storage);
  }

  widget(uuid: string): Promise<WidgetRecord | undefined> {
    let p = this.#widgets.get(uuid);
    if (!p) {
      p = this.storage.widgets.get(uuid);
      this.#widgets.set(uuid, p);
      // Unknown uuids (and failures) are not kept: anyone may send any uuid.
      p.then(
        (w) => w || this.#widgets.delete(uuid),
        () => this.#widgets.delete(uuid),
      );
      if (this.#widgets.size > MAX_WIDGETS) this.#widgets.delete(this.#widgets.keys().next().value!);
    }
    return p;
  }

  directory(sipId: string): Promise<DirectoryTarget> {
    const hit = this.#dir.get(sipId);
    const now = this.clock.now();
    if (hit && (hit.at === Infinity || now - hit.at < MISS_TTL_MS)) return hit.p;
    const p = this.#inner.directory(sipId);
    const entry = { at: Infinity, p };
    this.#dir.set(sipId, entry);
    p.then(
      (t) => {
        if (t.kind === 'none') entry.at = now;
      },
      () => this.#dir.delete(sipId),
    );
    return p;
  }

  async flag(ref: string): Promise<FlagRecord | undefined> {
    const find = (all: FlagRecord[]) => all.find((f) => f.id === ref) ?? all.find((f) => f.name === ref);
    this.#flags ??= this.storage.flags.list();
    const hit = find(await this.#flags);
    if (hit) return hit;
    // A flag created since the list was read (creation publishes no event).
    this.#flags = this.storage.flags.list();
    return find(await this.#flags);
  }

  user(id: string): Promise<UserRecord | undefined> {
    let p = this.#users.get(id);
    if (!p) {
      p = this.storage.users.get(id);
      this.#users.set(id, p);
      p.then(
        (u) => u || this.#users.delete(id),
        () => this.#users.delete(id),
      );
    }
    return p;
  }

  schedule(id: string): Promise<ScheduleRecord | undefined> {
    let p = this.#schedules.get(id);
    if (!p) {
      p = this.storage.schedules ? this.storage.schedules.get(id) : Promise.resolve(undefined);
      this.#schedules.set(id, p);
      p.then(
        (s) => s || this.#schedules.delete(id),
        () => this.#schedules.delete(id),
      );
    }
    return p;
  }

  /** Forgets everything (after an outage in which change events may have been lost). */
  reset(): void {
    this.#widgets.clear();
    this.#dir.clear();
    this.#users.clear();
    this.#flags = undefined;
    this.#schedules.clear();
  }

  /** Forgets what a committed change made stale. */
  handleDomainEvent(ev: DomainEvent): void {
    switch (ev.t) {
      case 'widget-updated':
      case 'widget-deleted':
        this.#widgets.delete(ev.uuid);
        return;
      case 'flag-changed':
        this.#flags = undefined;
        return;
      case 'schedule-changed':
        this.#schedules.delete(ev.id);
        return;
      case 'directory-changed':
      case 'user-revoked':
        this.#dir.clear();
        this.#users.clear();
        return;
    }
  }
}

/**
 * Which agent consoles are connected, installation-wide, and the grace
 * period after a user's last console left (spec 3 and 8: presence a console
 * set falls to offline only after it). One process keeps it in memory
 * (`LocalConsoleRegistry`); a cluster keeps it in Redis
 * (cluster/redis-console-registry.ts), where a console is listed with the
 * process that holds its socket, so that a dead process's consoles stop
 * counting at once and its reaper can drop them.
 */

/** A console and the process (node) that holds its socket. */
export interface ConsoleRef {
  id: string;
  node: string;
}

export interface ConsoleRegistry {
  /** A console of this process connected; a pending grace period of the user ends. */
  add(userId: string, consoleId: string): Promise<void>;
  /** A console of this process went away; resolves with how many consoles the user still has (any process). */
  remove(userId: string, consoleId: string): Promise<number>;
  /** The user's consoles on live processes. */
  consolesOf(userId: string): Promise<ConsoleRef[]>;
  /** Starts the user's grace period; the token names this start (a later start or a console replaces it). */
  graceStart(userId: string, ms: number): Promise<string>;
  /** At the end of a grace period: true (once) when `token` is still the current start and the user has no console. */
  graceDue(userId: string, token: string): Promise<boolean>;
}

/** One process: a Map. Grace tokens are counters. */
export class LocalConsoleRegistry implements ConsoleRegistry {
  #consoles = new Map<string, Set<string>>();
  #grace = new Map<string, string>();
  #seq = 0;

  constructor(private readonly node = 'local') {}

  async add(userId: string, consoleId: string): Promise<void> {
    let set = this.#consoles.get(userId);
    if (!set) this.#consoles.set(userId, (set = new Set()));
    set.add(consoleId);
    this.#grace.delete(userId);
  }

  async remove(userId: string, consoleId: string): Promise<number> {
    const set = this.#consoles.get(userId);
    if (!set) return 0;
    set.delete(consoleId);
    if (set.size === 0) this.#consoles.delete(userId);
    return set.size;
  }

  async consolesOf(userId: string): Promise<ConsoleRef[]> {
    return [...(this.#consoles.get(userId) ?? [])].map((id) => ({ id, node: this.node }));
  }

  async graceStart(userId: string): Promise<string> {
    const token = String(++this.#seq);
    this.#grace.set(userId, token);
    return token;
  }

  async graceDue(userId: string, token: string): Promise<boolean> {
    if (this.#grace.get(userId) !== token || this.#consoles.has(userId)) return false;
    this.#grace.delete(userId);
    return true;
  }
}

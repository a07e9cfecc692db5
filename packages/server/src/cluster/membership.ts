/**
 * Which processes are alive: each beats every `beatMs` into one Redis sorted
 * set (member = node id, score = when its beat expires, by Redis's own clock
 * so that machines need not agree on the time). A node whose beat has
 * expired is dead — whatever it was doing (kill -9, a frozen VM, cut off
 * from Redis). The beat that finds it removes it in the same Lua script, so
 * exactly one survivor becomes its reaper and cleans up after it; a
 * tombstone tells the dead node, should it come back, that it was reaped.
 *
 * A node that finds itself missing from the set was either reaped (its
 * calls were ended and its consoles dropped by a survivor: it must let go of
 * them too) or Redis restarted empty (nothing was cleaned up: it writes its
 * state again). `onRejoin` says which.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

const BEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local added = redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local reaped = redis.call('EXISTS', ARGV[3] .. ARGV[1])
if reaped == 1 then redis.call('DEL', ARGV[3] .. ARGV[1]) end
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
local mine = {}
for _, d in ipairs(dead) do
  if d ~= ARGV[1] and redis.call('ZREM', KEYS[1], d) == 1 then
    redis.call('SET', ARGV[3] .. d, '1', 'PX', 600000)
    table.insert(mine, d)
  end
end
return {added, reaped, mine, redis.call('ZRANGE', KEYS[1], 0, -1)}
`;

export interface MembershipOptions {
  redis: Redis;
  /** key prefix of the installation, e.g. "cw:" */
  prefix: string;
  /** this process */
  node: string;
  /** a node whose beat is older than this is dead (default 4000) */
  ttlMs?: number;
  /** beat interval (default 1000) */
  beatMs?: number;
  logger: Logger;
  /** this process found `node` dead and is its one reaper */
  onReap(node: string): void;
  /** this process was missing from the set: reaped by another, or Redis was restarted empty */
  onRejoin(why: 'reaped' | 'reset'): void;
  /** the set of live nodes changed (after any beat that saw a different set) */
  onLive?(nodes: ReadonlySet<string>): void;
}

export class Membership {
  readonly #o: Required<Omit<MembershipOptions, 'onLive'>> & Pick<MembershipOptions, 'onLive'>;
  #timer: NodeJS.Timeout | undefined;
  #live = new Set<string>();
  #joined = false;
  #beating: Promise<void> | undefined;
  #lastOk = 0;
  #stopped = false;

  constructor(o: MembershipOptions) {
    this.#o = { ttlMs: 4000, beatMs: 1000, ...o };
    this.#o.redis.defineCommand('cwBeat', { numberOfKeys: 1, lua: BEAT });
  }

  get node(): string {
    return this.#o.node;
  }

  /** Nodes alive at the last beat (this one included once it has beaten). */
  get live(): ReadonlySet<string> {
    return this.#live;
  }

  /** True while the last beat is recent (Redis reachable and this node in the set). */
  get healthy(): boolean {
    return Date.now() - this.#lastOk < this.#o.ttlMs;
  }

  /** The Redis connection dropped: not healthy again until a beat has gone through (Redis may come back empty). */
  connectionLost(): void {
    if (this.#lastOk !== -1 && this.#joined) this.#lastOk = -1;
  }

  /** Joins (first beat, so a wrong Redis fails the start) and keeps beating. */
  async start(): Promise<void> {
    await this.beat();
    this.#timer = setInterval(() => void this.beat().catch(() => undefined), this.#o.beatMs);
    this.#timer.unref();
  }

  /** One beat now (the timer's; tests call it to skip waiting). Failures are logged once per outage. */
  beat(): Promise<void> {
    return (this.#beating ??= this.#beat().finally(() => (this.#beating = undefined)));
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return;
    const { prefix, node, ttlMs } = this.#o;
    let res: [number, number, string[], string[]];
    try {
      res = (await (this.#o.redis as unknown as { cwBeat(k: string, node: string, ttl: number, tomb: string): Promise<[number, number, string[], string[]]> }).cwBeat(
        `${prefix}nodes`,
        node,
        ttlMs,
        `${prefix}reaped:`,
      )) as [number, number, string[], string[]];
    } catch (err) {
      if (this.#lastOk !== -1) this.#o.logger.warn({ err: { message: (err as Error).message } }, 'membership beat failed');
      this.#lastOk = this.#lastOk && -1;
      if (!this.#joined) throw err;
      return;
    }
    const [added, reaped, dead, live] = res;
    this.#lastOk = Date.now();
    if (this.#stopped) return;
    const wasJoined = this.#joined;
    this.#joined = true;
    if (added === 1 && wasJoined) {
      const why = reaped === 1 ? 'reaped' : 'reset';
      this.#o.logger.warn({ node, why }, why === 'reaped' ? 'this process was declared dead by the others and rejoins' : 'Redis lost the membership set (restarted?); rejoining');
      this.#o.onRejoin(why);
    }
    const next = new Set(live);
    if (next.size !== this.#live.size || [...next].some((n) => !this.#live.has(n))) {
      this.#live = next;
      this.#o.onLive?.(next);
    }
    for (const d of dead) {
      this.#o.logger.warn({ dead: d }, 'a process stopped beating; cleaning up after it');
      this.#o.onReap(d);
    }
  }

  /**
   * Leaves (a drained process): its beat is marked expired, so a survivor
   * reaps it at its next beat — the same clean-up as after a crash (its
   * consoles' registry entries, any call left), without waiting for the expiry.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#beating?.catch(() => undefined);
    await this.#o.redis.zadd(`${this.#o.prefix}nodes`, 'XX', 0, this.#o.node).catch(() => undefined);
  }
}

/**
 * What a cluster keeps in Redis about calls, so that the death of a process
 * does not leave anyone hanging:
 *   <p>calls:<node>  hash callId → {"consoles":[ids], "agent": userId?}
 *                    the consoles each live call of `node` rings or is connected to
 *   <p>incall        hash callId → "userId<TAB>node": who is in a call, owned by which node
 * The owner writes them as its calls change (CallRecords, PresenceShare); a
 * reaper reads the dead node's and tells its consoles the call failed.
 * Writes are fire-and-forget: a lost write (Redis away) is written again by
 * the resync when Redis is back.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CallRecords } from '../calls/call-manager.js';
import type { CallTarget } from '../calls/call-targets.js';

export interface DeadCall {
  call: string;
  consoles: string[];
}

export class RedisCallRecords implements CallRecords {
  #failing = false;
  /** what was written, to write again after Redis restarted empty */
  #live = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly node: string,
    private readonly log: Logger,
  ) {}

  ringing(callId: string, targets: CallTarget[]): void {
    this.#put(callId, JSON.stringify({ consoles: targets.map((t) => t.id) }));
  }

  connected(callId: string, target: CallTarget): void {
    this.#put(callId, JSON.stringify({ consoles: [target.id], agent: target.userId }));
  }

  ended(callId: string): void {
    this.#live.delete(callId);
    this.#run(this.redis.hdel(this.#key(this.node), callId));
  }

  /** Records a call of this process in the installation's in-call table (or drops it). */
  inCall(callId: string, userId: string, on: boolean): void {
    this.#run(on ? this.redis.hset(`${this.prefix}incall`, callId, `${userId}\t${this.node}`) : this.redis.hdel(`${this.prefix}incall`, callId));
  }

  /** Every entry of the in-call table whose node is alive (`live`). */
  async inCallSnapshot(live?: ReadonlySet<string>): Promise<{ call: string; userId: string; node: string }[]> {
    const all = await this.redis.hgetall(`${this.prefix}incall`);
    const out: { call: string; userId: string; node: string }[] = [];
    for (const [call, v] of Object.entries(all)) {
      const [userId, node] = v.split('\t') as [string, string];
      if (!live || live.has(node)) out.push({ call, userId, node });
    }
    return out;
  }

  /** Writes this process's live calls again (Redis restarted empty). */
  rewrite(): void {
    for (const [callId, json] of this.#live) this.#run(this.redis.hset(this.#key(this.node), callId, json));
  }

  /** The reaper: a dead node's calls (removed from Redis, with their in-call entries). */
  async takeDead(node: string): Promise<DeadCall[]> {
    const key = this.#key(node);
    const all = await this.redis.hgetall(key);
    await this.redis.del(key);
    const out: DeadCall[] = [];
    for (const [call, json] of Object.entries(all)) {
      try {
        const v = JSON.parse(json) as { consoles?: unknown };
        out.push({ call, consoles: Array.isArray(v.consoles) ? v.consoles.filter((c): c is string => typeof c === 'string') : [] });
      } catch {
        out.push({ call, consoles: [] });
      }
    }
    const incall = await this.inCallSnapshot();
    const gone = incall.filter((e) => e.node === node).map((e) => e.call);
    if (gone.length) await this.redis.hdel(`${this.prefix}incall`, ...gone);
    return out;
  }

  #key(node: string): string {
    return `${this.prefix}calls:${node}`;
  }

  #put(callId: string, json: string): void {
    this.#live.set(callId, json);
    this.#run(this.redis.hset(this.#key(this.node), callId, json));
  }

  #run(p: Promise<unknown>): void {
    p.then(
      () => (this.#failing = false),
      (err: unknown) => {
        if (!this.#failing) this.log.warn({ err: { message: (err as Error).message } }, 'could not record a call in Redis; written again when it is back');
        this.#failing = true;
      },
    );
  }
}

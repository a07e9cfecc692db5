/**
 * The console registry of a cluster, in Redis (see presence/console-registry.ts):
 *   <p>consoles:<userId>     hash consoleId → node holding its socket
 *   <p>node-consoles:<node>  set of "userId<TAB>consoleId" (what a reaper drops)
 *   <p>grace:<userId>        the current grace period's token (expires by itself)
 * A console counts only while its node is alive (its beat in <p>nodes is
 * current, see membership.ts), checked inside each script by Redis's clock,
 * so a killed process's consoles stop counting when its beat expires, even
 * before a reaper has dropped them.
 */
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ConsoleRef, ConsoleRegistry } from '../presence/console-registry.js';

/** Lua: the live consoles of KEYS[1] ({id, node, id, node, …}); KEYS[2] is the nodes zset. */
const LIVE = `
local function live(hash, nodes)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local all = redis.call('HGETALL', hash)
  local out = {}
  local alive = {}
  for i = 1, #all, 2 do
    local node = all[i + 1]
    if alive[node] == nil then
      local s = redis.call('ZSCORE', nodes, node)
      alive[node] = (s ~= false and s ~= nil and tonumber(s) > now)
    end
    if alive[node] then
      table.insert(out, all[i])
      table.insert(out, node)
    end
  end
  return out
end
`;

const SCRIPTS = {
  // KEYS: consoles:<u>, node-consoles:<node>, grace:<u>; ARGV: consoleId, node, member
  cwConsoleAdd: {
    keys: 3,
    lua: `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]); redis.call('SADD', KEYS[2], ARGV[3]); redis.call('DEL', KEYS[3]); return 1`,
  },
  // KEYS: consoles:<u>, node-consoles:<node>, nodes; ARGV: consoleId, member → live consoles left
  cwConsoleRemove: {
    keys: 3,
    lua: `${LIVE} redis.call('HDEL', KEYS[1], ARGV[1]); redis.call('SREM', KEYS[2], ARGV[2]); return #live(KEYS[1], KEYS[3]) / 2`,
  },
  // KEYS: consoles:<u>, nodes
  cwConsolesOf: { keys: 2, lua: `${LIVE} return live(KEYS[1], KEYS[2])` },
  // KEYS: grace:<u>, consoles:<u>, nodes; ARGV: token → 1 when due
  cwGraceDue: {
    keys: 3,
    lua: `${LIVE} if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
      if #live(KEYS[2], KEYS[3]) > 0 then return 0 end
      redis.call('DEL', KEYS[1]) return 1`,
  },
  // KEYS: node-consoles:<dead>; ARGV: prefix → {userId, consoleId, …} dropped
  cwConsolesReap: {
    keys: 1,
    lua: `local out = {}
      for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
        local tab = string.find(m, '\\t', 1, true)
        local user = string.sub(m, 1, tab - 1)
        local console = string.sub(m, tab + 1)
        redis.call('HDEL', ARGV[1] .. 'consoles:' .. user, console)
        table.insert(out, user)
        table.insert(out, console)
      end
      redis.call('DEL', KEYS[1])
      return out`,
  },
} as const;

type Scripted = Redis & {
  cwConsoleAdd(a: string, b: string, c: string, id: string, node: string, member: string): Promise<number>;
  cwConsoleRemove(a: string, b: string, c: string, id: string, member: string): Promise<number>;
  cwConsolesOf(a: string, b: string): Promise<string[]>;
  cwGraceDue(a: string, b: string, c: string, token: string): Promise<number>;
  cwConsolesReap(a: string, prefix: string): Promise<string[]>;
};

export class RedisConsoleRegistry implements ConsoleRegistry {
  readonly #r: Scripted;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly node: string,
  ) {
    for (const [name, s] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys: s.keys, lua: s.lua });
    this.#r = redis as Scripted;
  }

  #k(kind: string, id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  async add(userId: string, consoleId: string): Promise<void> {
    await this.#r.cwConsoleAdd(this.#k('consoles', userId), this.#k('node-consoles', this.node), this.#k('grace', userId), consoleId, this.node, `${userId}\t${consoleId}`);
  }

  async remove(userId: string, consoleId: string): Promise<number> {
    return Number(await this.#r.cwConsoleRemove(this.#k('consoles', userId), this.#k('node-consoles', this.node), `${this.prefix}nodes`, consoleId, `${userId}\t${consoleId}`));
  }

  async consolesOf(userId: string): Promise<ConsoleRef[]> {
    const flat = await this.#r.cwConsolesOf(this.#k('consoles', userId), `${this.prefix}nodes`);
    const out: ConsoleRef[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i]!, node: flat[i + 1]! });
    return out;
  }

  async graceStart(userId: string, ms: number): Promise<string> {
    const token = crypto.randomBytes(8).toString('hex');
    // Kept a little past the period, so that the timer at its end still finds it.
    await this.#r.set(this.#k('grace', userId), token, 'PX', Math.round(ms) + 60_000);
    return token;
  }

  async graceDue(userId: string, token: string): Promise<boolean> {
    return (await this.#r.cwGraceDue(this.#k('grace', userId), this.#k('consoles', userId), `${this.prefix}nodes`, token)) === 1;
  }

  /** A dead node's consoles: dropped; resolves with the users who had one there. */
  async reap(node: string): Promise<string[]> {
    const flat = await this.#r.cwConsolesReap(this.#k('node-consoles', node), this.prefix);
    const users = new Set<string>();
    for (let i = 0; i < flat.length; i += 2) users.add(flat[i]!);
    return [...users];
  }
}

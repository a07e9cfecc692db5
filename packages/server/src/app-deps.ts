/**
 * What the app is assembled from (STYLE habit 2). A module of its own, so that
 * the app's parts (http/, realtime/) can name their dependencies without
 * importing app.ts, which imports them: no cycle, not even a type-only one.
 */
import type { Logger } from 'pino';
import type { Bus } from './bus/types.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Storage } from './storage/types.js';
import type { CounterStore } from './limits/counter-store.js';
import type { Cluster } from './cluster/cluster.js';
import type { Activity } from './domain/activity.js';

/** The injected parts; `clock` defaults to the system clock. */
export interface AppDeps {
  config: Config;
  storage: Storage;
  bus: Bus;
  logger: Logger;
  clock?: Clock;
  /** windowed counters behind every limit (default: this process's memory; Redis in a cluster) */
  counters?: CounterStore;
  /** cluster mode (REDIS_URL): this process's membership, registry and leases; absent for one process */
  cluster?: Cluster;
  /** the domain's event stream (calls, chats, presence); default: a new one */
  activity?: Activity;
}

/** AppDeps with every default filled in: what the app's parts receive. */
export type AppContext = Required<Omit<AppDeps, 'cluster'>> & Pick<AppDeps, 'cluster'>;

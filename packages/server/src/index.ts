/**
 * @cw/server — what other packages (testkit, benchmarks) use. Nothing outside
 * packages/server imports its files directly.
 */
export { startServer, type RunningServer, type StartOptions } from './server.js';
export { buildApp } from './app.js';
export type { AppContext, AppDeps } from './app-deps.js';
export { loadConfig, type Config } from './config.js';
export type { FirstAdmin } from './bootstrap.js';
export type { Bus, DomainEvent } from './bus/types.js';
export type { Clock } from './clock.js';
export type * from './storage/types.js';
export { StorageConflictError, StorageReferenceError } from './storage/types.js';
export { openStorage } from './storage/index.js';
export { StatsService, type StatsRequest } from './stats/stats-service.js';

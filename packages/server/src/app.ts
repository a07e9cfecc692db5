/**
 * buildApp(deps): assembles the server from injected storage, bus, clock and
 * logger (STYLE habit 2). It does not listen; main.ts and tests do.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext, AppDeps } from './app-deps.js';
import { systemClock } from './clock.js';
import { frameworkErrors, registerHttp } from './http/index.js';
import { registerRealtime, type Realtime } from './realtime/index.js';

export type { AppContext, AppDeps } from './app-deps.js';

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppContext;
    realtime: Realtime;
  }
}

export async function buildApp(input: AppDeps): Promise<FastifyInstance> {
  const deps: AppContext = { clock: systemClock, ...input };
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: deps.config.trustProxy,
    bodyLimit: 4 * 1024 * 1024,
    // Per-request lines would drown the log (every widget load is a request); errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors,
  });
  app.decorate('deps', deps);
  await registerHttp(app, deps);
  const realtime = await registerRealtime(app, deps);
  app.decorate('realtime', realtime);
  return app;
}

/**
 * buildApp(deps): assembles the server from injected storage, bus, clock and
 * logger (STYLE habit 2). It does not listen; main.ts and tests do.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext, AppDeps } from './app-deps.js';
import { systemClock } from './clock.js';
import { MemoryCounterStore } from './limits/counter-store.js';
import { frameworkErrors, registerHttp } from './http/index.js';
import { proxyMisconfigWatch, trustFunction } from './http/proxy-trust.js';
import { registerRealtime, type Realtime } from './realtime/index.js';
import { PhoneSystemService } from './phone/phone-system.js';
import { SecretBox } from './phone/secret-box.js';

export type { AppContext, AppDeps } from './app-deps.js';

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppContext;
    realtime: Realtime;
    /** the phone-system connector (spec 9); off until an admin turns it on */
    phone: PhoneSystemService;
  }
}

export async function buildApp(input: AppDeps): Promise<FastifyInstance> {
  const clock = input.clock ?? systemClock;
  const deps: AppContext = { clock, counters: input.counters ?? new MemoryCounterStore(clock), ...input };
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Hop count or address list (spec 6); Fastify's own number form trusts nobody, so it gets the function.
    trustProxy: deps.config.trustProxy === false ? false : trustFunction(deps.config.trustProxy),
    bodyLimit: 4 * 1024 * 1024,
    // Per-request lines would drown the log (every widget load is a request); errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors,
  });
  app.decorate('deps', deps);
  // Behind a proxy without TRUST_PROXY every visitor shares the proxy's address, and so its limits: say so once.
  const watch = proxyMisconfigWatch(deps.config.trustProxy, (peer) =>
    deps.logger.warn(
      { peer },
      `requests from ${peer} carry X-Forwarded-For, but TRUST_PROXY is not set: every client behind that proxy shares one address (and its sign-in and connection limits). Set TRUST_PROXY=1 (or the proxy's address) — see docs/security.md`,
    ),
  );
  app.server.on('request', watch);
  app.server.on('upgrade', watch);
  const phone = new PhoneSystemService({
    storage: deps.storage,
    config: deps.config,
    secrets: new SecretBox({ key: deps.config.secretsKey, dataDir: deps.config.dataDir }),
    logger: deps.logger.child({ module: 'phone-system' }),
    now: () => clock.now(),
  });
  app.decorate('phone', phone);
  // After the sockets drained (their calls ended): unregister from the PBX.
  app.addHook('onClose', async () => phone.stop());
  await registerHttp(app, deps);
  const realtime = await registerRealtime(app, deps);
  app.decorate('realtime', realtime);
  await phone.start();
  return app;
}

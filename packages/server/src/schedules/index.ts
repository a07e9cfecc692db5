/**
 * The run-once work of spec 11 wired into the app: the ScheduleKeeper, the
 * mail sender and the contact desk's activity listener. In cluster mode the
 * keeper and the sender run only in the process holding their lease; the
 * desk listens everywhere (activity is per process, each event once).
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-deps.js';
import { DOMAIN_TOPIC, type DomainEvent } from '../bus/types.js';
import { ScheduleKeeper } from './schedule-keeper.js';

export function registerSchedules(app: FastifyInstance, deps: AppContext): ScheduleKeeper {
  const keeper = new ScheduleKeeper({ storage: deps.storage, bus: deps.bus, clock: deps.clock, logger: deps.logger.child({ module: 'schedule-keeper' }) });
  const offDesk = app.contact.listen();
  const offMail = deps.bus.subscribe(DOMAIN_TOPIC, (ev) => {
    if ((ev as DomainEvent)?.t === 'mail-queued') void app.mail.kick();
  });
  const leases = deps.cluster
    ? [
        deps.cluster.lease('schedule-keeper', { onAcquired: () => keeper.start(), onLost: () => void keeper.stop() }),
        deps.cluster.lease('mail-sender', { onAcquired: () => app.mail.start(), onLost: () => void app.mail.stop() }),
      ]
    : [];
  app.addHook('onReady', async () => {
    if (leases.length) for (const l of leases) l.start();
    else {
      keeper.start();
      app.mail.start();
    }
    void app.contact.recover().catch((err) => deps.logger.error({ err }, 'transcript recovery failed'));
  });
  app.addHook('onClose', async () => {
    await app.realtime?.drain();
    offDesk();
    await app.contact.settled();
    offMail();
    await Promise.all(leases.map((l) => l.stop()));
    await keeper.stop();
    await app.mail.close();
  });
  app.decorate('schedules', keeper);
  return keeper;
}

declare module 'fastify' {
  interface FastifyInstance {
    schedules: ScheduleKeeper;
  }
}

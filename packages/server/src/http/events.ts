/** The only way the HTTP side talks to the realtime side: DomainEvents on the bus, after a commit. */
import { DOMAIN_TOPIC, type Bus, type DomainEvent } from '../bus/types.js';

/** Publishes domain events (call only after the write committed). */
export function publish(bus: Bus, ...events: DomainEvent[]): void {
  for (const ev of events) bus.publish(DOMAIN_TOPIC, ev);
}

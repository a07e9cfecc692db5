/**
 * The bus: everything that must reach a socket goes through here (STYLE habit 5).
 * In one process it is an in-memory emitter; a Redis backend implements the
 * same two methods (publish, deliver) for several processes.
 *
 * Topics are strings; events are plain JSON-serialisable objects so that a
 * Redis backend can carry them unchanged.
 */

/** Events that HTTP routes publish and the realtime side consumes. */
export type DomainEvent =
  /** A widget was saved: open visitors get Session, Remove, Info. */
  | { t: 'widget-updated'; uuid: string; byKeeper?: boolean }
  /** A widget was deleted: open visitors get unknown-widget and close. */
  | { t: 'widget-deleted'; uuid: string }
  /** A flag changed value (or name): widgets using it update. */
  | { t: 'flag-changed'; id: string; value: boolean; byKeeper?: boolean }
  /** A schedule was created, changed or deleted (spec 11): the keeper looks again, caches forget it. */
  | { t: 'schedule-changed'; id: string }
  /** A mail was queued (spec 11): the process that sends mail looks now */
  | { t: 'mail-queued' }
  /** The presence API set a user's presence (already stored). */
  | { t: 'presence-api'; userId: string; presence: 'online' | 'away' | 'busy' | 'offline'; at?: number }
  /** Directory data of a user or group changed: Info may change. */
  | { t: 'directory-changed' }
  /** A user was deleted or lost the agent role: close their consoles. */
  | { t: 'user-revoked'; userId: string }
  /** A webhook was created, changed or deleted: queues reload their list. */
  | { t: 'webhooks-changed' }
  /** The phone-system settings were saved by process `origin`: the others load and apply them. */
  | { t: 'phone-system-changed'; origin: string };

/** The topic on which DomainEvents are published. */
export const DOMAIN_TOPIC = 'domain';

export type BusHandler = (msg: unknown) => void;

export interface Bus {
  /** Sends `msg` to every subscriber of `topic`, in every process. */
  publish(topic: string, msg: unknown): void;
  /** Returns an unsubscribe function. A throwing handler does not break delivery to others. */
  subscribe(topic: string, handler: BusHandler): () => void;
  close(): Promise<void>;
}

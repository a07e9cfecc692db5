/**
 * What happened in the domain, as typed events: calls and chats starting,
 * being answered and ending, presence changing, offline messages arriving.
 * The managers emit them at their state changes; webhooks, metrics and
 * anything else that wants to know subscribe here, so the managers never
 * call those consumers (STYLE habits 4 and 8).
 *
 * In-process on purpose: an event is emitted once, by the process where it
 * happened. Consumers that must act once per event (the webhook queue) can
 * rely on that in cluster mode too.
 */
import type { Logger } from 'pino';

export interface WidgetRef {
  uuid: string;
  name: string;
}

/** A call as its events describe it (calls live in memory; every event carries the whole reference). */
export interface CallRef {
  id: string;
  widget: WidgetRef;
  /** the sipId the visitor called (a user or a group) */
  dest: string;
  video: boolean;
  visitor: { dn: string };
  startedAt: number;
}

export type ActivityEvent =
  | { t: 'call.started'; ts: number; call: CallRef }
  | { t: 'call.answered'; ts: number; call: CallRef; agentUserId: string }
  | {
      t: 'call.ended';
      ts: number;
      call: CallRef;
      /** the cause as logged ("hangup", "no-answer", "visitor-hangup", …) */
      cause: string;
      /** the agent who answered, when it was answered */
      agentUserId: string | null;
      answeredAt: number | null;
    }
  /** chats are in storage: their events carry the id, consumers read the rest */
  | { t: 'chat.started'; ts: number; chat: string }
  | { t: 'chat.accepted'; ts: number; chat: string; agentUserId: string }
  | { t: 'chat.message'; ts: number; chat: string; from: 'visitor' | 'agent' | 'system' }
  | { t: 'chat.ended'; ts: number; chat: string; by: 'visitor' | 'agent' | 'system' }
  | { t: 'presence.changed'; ts: number; userId: string; presence: string; visible: string }
  /** an offline message was stored (issue 13); `data` is what the webhook carries */
  | { t: 'offline.message'; ts: number; id: string; data: Record<string, unknown> };

export type ActivityListener = (ev: ActivityEvent) => void;

/** The domain's event stream. A throwing listener is logged and does not stop the others. */
export class Activity {
  #listeners = new Set<ActivityListener>();

  constructor(private readonly logger?: Logger) {}

  /** Subscribes; returns the unsubscribe function. */
  on(fn: ActivityListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  emit(ev: ActivityEvent): void {
    for (const fn of this.#listeners) {
      try {
        fn(ev);
      } catch (err) {
        this.logger?.error({ err, event: ev.t }, 'activity listener threw');
      }
    }
  }
}

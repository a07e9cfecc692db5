/**
 * The webhook events (spec section 12) and what each delivery's `data`
 * holds. Built from an ActivityEvent plus what storage knows (names,
 * transcript), once per event, when it is queued.
 */
import type { ActivityEvent, CallRef } from '../domain/activity.js';
import type { Storage } from '../storage/types.js';

import { WEBHOOK_EVENTS, type WebhookEventName } from '@cw/protocol/api';

export { WEBHOOK_EVENTS };
export type WebhookEvent = WebhookEventName;
/** The event of "Send test event"; delivered whatever the webhook subscribes to. */
export const TEST_EVENT = 'webhook.test';

const SUBSCRIBABLE = new Set<string>(WEBHOOK_EVENTS);

export function isWebhookEvent(t: string): t is WebhookEvent {
  return SUBSCRIBABLE.has(t);
}

type Reader = Pick<Storage, 'users' | 'widgets' | 'chats'>;

interface AgentData {
  id: string;
  sipId: string;
  displayName: string;
}

async function agent(storage: Reader, userId: string | null): Promise<AgentData | null> {
  if (!userId) return null;
  const u = await storage.users.get(userId);
  return { id: userId, sipId: u?.sipId ?? '', displayName: u?.displayName ?? '' };
}

function call(c: CallRef) {
  return { id: c.id, widget: c.widget, dest: c.dest, video: c.video, visitor: { name: c.visitor.dn }, startedAt: c.startedAt };
}

/**
 * The delivery's `data` and the key that orders it (deliveries of one call,
 * one chat, one user's presence keep their order). Undefined when the event
 * is not a webhook event or its subject is gone.
 */
export async function webhookData(storage: Reader, ev: ActivityEvent): Promise<{ event: WebhookEvent; orderKey: string; data: Record<string, unknown> } | undefined> {
  switch (ev.t) {
    case 'call.started':
      return { event: ev.t, orderKey: `call:${ev.call.id}`, data: { call: call(ev.call) } };
    case 'call.answered':
      return { event: ev.t, orderKey: `call:${ev.call.id}`, data: { call: call(ev.call), agent: await agent(storage, ev.agentUserId), answeredAt: ev.ts } };
    case 'call.ended':
      return {
        event: ev.t,
        orderKey: `call:${ev.call.id}`,
        data: {
          call: call(ev.call),
          cause: ev.cause,
          answered: ev.answeredAt !== null,
          agent: await agent(storage, ev.agentUserId),
          answeredAt: ev.answeredAt,
          endedAt: ev.ts,
          durationMs: ev.answeredAt !== null ? ev.ts - ev.answeredAt : null,
        },
      };
    case 'chat.started':
    case 'chat.ended': {
      const c = await storage.chats.get(ev.chat);
      if (!c) return undefined;
      const w = await storage.widgets.get(c.widgetUuid);
      const chat = {
        id: c.id,
        widget: { uuid: c.widgetUuid, name: w?.name ?? '' },
        dest: c.dest,
        visitor: { name: c.visitorDn, email: c.visitorEmail },
        startedAt: c.createdAt,
      };
      if (ev.t === 'chat.started') return { event: ev.t, orderKey: `chat:${c.id}`, data: { chat } };
      const messages = await storage.chats.listMessages(c.id);
      return {
        event: ev.t,
        orderKey: `chat:${c.id}`,
        data: {
          chat: { ...chat, agent: await agent(storage, c.agentUserId), acceptedAt: c.acceptedAt, endedAt: c.closedAt ?? ev.ts, endedBy: ev.by },
          transcript: messages.map((m) => ({ id: m.id, from: m.from, name: m.dn, text: m.text, ts: m.ts })),
        },
      };
    }
    case 'presence.changed': {
      const u = await storage.users.get(ev.userId);
      return {
        event: ev.t,
        orderKey: `presence:${ev.userId}`,
        data: { user: { id: ev.userId, sipId: u?.sipId ?? '', displayName: u?.displayName ?? '' }, presence: ev.presence, visible: ev.visible },
      };
    }
    case 'offline.message':
      return { event: ev.t, orderKey: `offline:${ev.id}`, data: ev.data };
    default:
      return undefined;
  }
}

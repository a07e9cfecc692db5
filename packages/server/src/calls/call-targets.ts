/**
 * Where a call rings. CallManager asks a `CallTargets` which agent entry the
 * visitor calls, what visitors see of that agent (the verdict is the
 * manager's), and which places to ring once the SDP offer is there; it rings
 * whatever it gets, and the first to answer wins.
 *
 * Agent consoles are the one kind of target today. The SIP connector will add
 * a phone endpoint as another `CallTarget` kind, and a `CallTargets` that
 * returns a phone, or consoles and a phone ("both"), for the entries routed
 * that way — without a change to the call state machine.
 */
import type { VisiblePresence, WidgetAgent } from '@cw/protocol';
import { resolveAgent, type PresenceView } from '../presence/availability.js';
import type { Catalog } from '../domain/widget-directory-cache.js';
import { findWidgetAgent } from '../domain/widget-agent.js';
import type { ConsoleRef } from '../presence/console-registry.js';

/** One place a call rings: an agent console (`id` is its console id) of user `userId`, on process `node` in a cluster. */
export interface ConsoleTarget {
  kind: 'console';
  id: string;
  userId: string;
  node?: string;
}

/**
 * A phone at the phone system (spec 9): `address` is dialled by the SIP
 * connector. `userId` is the directory user it belongs to, or null for a
 * group's own address (a hunt group at the PBX).
 */
export interface PhoneTarget {
  kind: 'phone';
  id: string;
  userId: string | null;
  address: string;
}

/** Anything a call can ring; `id` is unique among the targets of one call. */
export type CallTarget = ConsoleTarget | PhoneTarget;

/** What the targets need to know of the phone system. */
export interface PhoneRouting {
  /** the phone system is on: `phone`/`both` reach a phone */
  readonly enabled: boolean;
  /** sip address of a sipId */
  addressOf(sipId: string): string;
}

export interface CallTargets {
  /** The widget's agent entry `dest` (unknown-widget / unknown-agent when there is none). */
  agent(widgetUuid: string, dest: string): Promise<{ widget: { uuid: string; name: string }; entry: WidgetAgent }>;
  /** What visitors see of the entry now (spec 4). */
  visible(entry: WidgetAgent): Promise<VisiblePresence>;
  /** Where the call to `dest` rings now; empty when nobody can take it. */
  ring(widgetUuid: string, dest: string): Promise<CallTarget[]>;
}

/** What consoleTargets reads: widgets, directory and flags, and live presence with the console registry. */
export interface ConsoleTargetDeps {
  catalog: Pick<Catalog, 'widget' | 'directory' | 'flag'>;
  presence: PresenceView & { consoleRefs(userId: string): Promise<ConsoleRef[]> };
  /** the phone system; without it every call rings consoles only */
  phone?: PhoneRouting;
}

/**
 * Rings the users the availability resolver names (a user, or a group's
 * members), each where they are reached: their consoles, their phone, or
 * both. A group reached by phone rings its own address at the PBX instead of
 * (`phone`) or besides (`both`) its members.
 */
export function consoleTargets({ catalog, presence, phone }: ConsoleTargetDeps): CallTargets {
  return {
    agent: (widgetUuid, dest) => findWidgetAgent(catalog, widgetUuid, dest),
    visible: async (entry) => (await resolveAgent(catalog, presence, entry)).visible,
    async ring(widgetUuid, dest) {
      const widget = await catalog.widget(widgetUuid);
      const entry = widget?.agents.find((a) => a.sipId === dest);
      if (!entry) return [];
      const resolved = await resolveAgent(catalog, presence, entry);
      const targets: CallTarget[] = [];
      const phoneOn = !!phone?.enabled;
      const users = new Map((resolved.target.kind === 'user' ? [resolved.target.user] : resolved.target.kind === 'group' ? resolved.target.members : []).map((u) => [u.id, u]));
      const groupReach = resolved.target.kind === 'group' && phoneOn ? resolved.target.group.reach : 'console';
      if (groupReach !== 'phone')
        for (const userId of new Set(resolved.ringUserIds)) {
          const reach = phoneOn ? (users.get(userId)?.reach ?? 'console') : 'console';
          if (reach !== 'phone') for (const c of await presence.consoleRefs(userId)) targets.push({ kind: 'console', id: c.id, userId, node: c.node });
          const sipId = users.get(userId)?.sipId;
          if (reach !== 'console' && sipId) targets.push({ kind: 'phone', id: `phone:${userId}`, userId, address: phone!.addressOf(sipId) });
        }
      if (groupReach !== 'console' && resolved.target.kind === 'group' && resolved.target.group.sipId && (resolved.ringUserIds.length > 0 || entry.availability !== 'presence'))
        if (entry.availability !== 'inactive' && (entry.availability !== 'boolean' || resolved.visible === 'online'))
          targets.push({ kind: 'phone', id: `phone:group:${resolved.target.group.id}`, userId: null, address: phone!.addressOf(resolved.target.group.sipId) });
      return targets;
    },
  };
}

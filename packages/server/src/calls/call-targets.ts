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

/** Anything a call can ring; `id` is unique among the targets of one call. */
export type CallTarget = ConsoleTarget;

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
}

/** Rings every console of the users the availability resolver names (a user, or a group's members). */
export function consoleTargets({ catalog, presence }: ConsoleTargetDeps): CallTargets {
  return {
    agent: (widgetUuid, dest) => findWidgetAgent(catalog, widgetUuid, dest),
    visible: async (entry) => (await resolveAgent(catalog, presence, entry)).visible,
    async ring(widgetUuid, dest) {
      const widget = await catalog.widget(widgetUuid);
      const entry = widget?.agents.find((a) => a.sipId === dest);
      if (!entry) return [];
      const targets: CallTarget[] = [];
      for (const userId of new Set((await resolveAgent(catalog, presence, entry)).ringUserIds))
        for (const c of await presence.consoleRefs(userId)) targets.push({ kind: 'console', id: c.id, userId, node: c.node });
      return targets;
    },
  };
}

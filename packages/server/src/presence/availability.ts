/**
 * Availability of an agent entry on a widget (spec 4): the entry's mode plus
 * directory (user or group), live presence and flags give what visitors see,
 * and whom a call or chat should reach.
 */
import type { VisiblePresence, WidgetAgent } from '@cw/protocol';
import type { Catalog } from '../domain/widget-directory-cache.js';
import type { DirectoryTarget } from './directory.js';

/** What the resolver needs to know about live presence. */
export interface PresenceView {
  visible(userId: string): VisiblePresence;
}

export interface ResolvedAgent {
  entry: WidgetAgent;
  target: DirectoryTarget;
  /** what visitors see */
  visible: VisiblePresence;
  /**
   * Users whose consoles a call should ring: for a user the user; for a group
   * its online and free members ("always": its online members, free or not).
   * Empty when the agent cannot be reached.
   */
  ringUserIds: string[];
}

/** Visible presence of a directory target from members' visible presence (spec 4, groups). */
export function targetVisible(t: DirectoryTarget, p: PresenceView): VisiblePresence {
  if (t.kind === 'user') return p.visible(t.user.id);
  if (t.kind === 'group') {
    const vs = t.members.map((m) => p.visible(m.id));
    if (vs.includes('online')) return 'online';
    if (vs.includes('busy')) return 'busy';
  }
  return 'offline';
}

/** Users a call or chat offer goes to; `anyPresence` ignores whether a group member is free. */
export function reachableUsers(t: DirectoryTarget, p: PresenceView, anyPresence: boolean): string[] {
  if (t.kind === 'user') return [t.user.id];
  if (t.kind === 'group')
    return t.members.filter((m) => (anyPresence ? p.visible(m.id) !== 'offline' : p.visible(m.id) === 'online')).map((m) => m.id);
  return [];
}

/** Resolves one agent entry. */
export async function resolveAgent(catalog: Pick<Catalog, 'directory' | 'flag'>, presence: PresenceView, entry: WidgetAgent): Promise<ResolvedAgent> {
  const t = await catalog.directory(entry.sipId);
  switch (entry.availability) {
    case 'always':
      return { entry, target: t, visible: 'online', ringUserIds: reachableUsers(t, presence, true) };
    case 'inactive':
      return { entry, target: t, visible: 'offline', ringUserIds: [] };
    case 'boolean': {
      const flag = entry.flag ? await catalog.flag(entry.flag) : undefined;
      const on = flag?.value === true;
      return { entry, target: t, visible: on ? 'online' : 'offline', ringUserIds: on ? reachableUsers(t, presence, true) : [] };
    }
    default: {
      const visible = targetVisible(t, presence);
      return { entry, target: t, visible, ringUserIds: visible === 'online' ? reachableUsers(t, presence, false) : [] };
    }
  }
}

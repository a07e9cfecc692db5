/** What the app knows about users and groups, to show directory defaults for agents. */
import type { DirectoryEntry, Group, User } from '@cw/protocol';

export interface Directory {
  bySipId(sipId: string): DirectoryEntry | undefined;
}

/** Indexes users and groups by SIP-ID. */
export function makeDirectory(users: User[], groups: Group[]): Directory {
  const m = new Map<string, DirectoryEntry>();
  for (const g of groups) m.set(g.sipId, { kind: 'group', id: g.id, sipId: g.sipId, name: g.name });
  for (const u of users)
    if (u.sipId)
      m.set(u.sipId, { kind: 'user', id: u.id, sipId: u.sipId, name: u.displayName || u.username, department: u.department, email: u.email, phone: u.phone });
  return { bySipId: (s) => m.get(s) };
}

export const emptyDirectory: Directory = { bySipId: () => undefined };

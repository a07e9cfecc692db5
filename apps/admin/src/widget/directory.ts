/** What the app knows about users and groups, to show directory defaults for agents. */
import type { DirectoryEntry, Group, User } from '@cw/protocol';
import { t } from '../i18n.js';

export interface Directory {
  bySipId(sipId: string): (DirectoryEntry & { picture?: string }) | undefined;
  /** the SIP-IDs of a group's members ([] for a user or an unknown SIP-ID) */
  membersOf(sipId: string): string[];
}

/** Indexes users and groups by SIP-ID. */
export function makeDirectory(users: User[], groups: Group[]): Directory {
  const m = new Map<string, DirectoryEntry & { picture?: string }>();
  const byId = new Map(users.map((u) => [u.id, u]));
  const members = new Map<string, string[]>();
  for (const g of groups) {
    m.set(g.sipId, { kind: 'group', id: g.id, sipId: g.sipId, name: g.name });
    members.set(g.sipId, g.members.map((id) => byId.get(id)?.sipId ?? '').filter(Boolean));
  }
  for (const u of users)
    if (u.sipId)
      m.set(u.sipId, { kind: 'user', id: u.id, sipId: u.sipId, name: u.displayName || u.username, department: u.department, email: u.email, phone: u.phone, picture: u.picture });
  return { bySipId: (s) => m.get(s), membersOf: (s) => members.get(s) ?? [] };
}

export const emptyDirectory: Directory = { bySipId: () => undefined, membersOf: () => [] };

/** The warning for an agent whose SIP-ID names nobody (issue 15: "No user has SIP-ID carl"). */
export function unknownSipId(sipId: string): string {
  return t('No user or group has SIP-ID “{sipId}”: nobody can answer, so visitors see this agent as not available. Create the user, or correct the SIP-ID.', { sipId });
}

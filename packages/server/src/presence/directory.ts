/** Resolves a widget agent's sipId to a directory user or group. */
import type { GroupRecord, Storage, UserRecord } from '../storage/types.js';

export type DirectoryTarget =
  | { kind: 'user'; user: UserRecord }
  | { kind: 'group'; group: GroupRecord; members: UserRecord[] }
  | { kind: 'none' };

/** Looks up `sipId`: a user first, then a group (with its members that still exist). */
export async function resolveDirectory(storage: Pick<Storage, 'users' | 'groups'>, sipId: string): Promise<DirectoryTarget> {
  const user = await storage.users.getBySipId(sipId);
  if (user) return { kind: 'user', user };
  const group = await storage.groups.getBySipId(sipId);
  if (group) {
    const members: UserRecord[] = [];
    for (const id of group.members) {
      const u = await storage.users.get(id);
      if (u) members.push(u);
    }
    return { kind: 'group', group, members };
  }
  return { kind: 'none' };
}

/** User ids that a directory target stands for. */
export function targetUserIds(t: DirectoryTarget): string[] {
  return t.kind === 'user' ? [t.user.id] : t.kind === 'group' ? t.members.map((m) => m.id) : [];
}

/**
 * Remembers the presence the agent chose, per user, in localStorage, so a
 * reload or reconnect restores it (spec 8: the console restores the agent's
 * last choice with SetPresence).
 */
import { PRESENCE, type Presence } from '@cw/protocol';

const key = (userId: string) => `cw.console.presence.${userId}`;

export function loadPresence(userId: string): Presence | null {
  try {
    const v = localStorage.getItem(key(userId));
    return v && (PRESENCE as readonly string[]).includes(v) ? (v as Presence) : null;
  } catch {
    return null;
  }
}

export function savePresence(userId: string, p: Presence): void {
  try {
    localStorage.setItem(key(userId), p);
  } catch {
    /* storage disabled: the choice lasts for this page only */
  }
}

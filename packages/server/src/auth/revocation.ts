/**
 * "These credentials no longer hold": an event on its own bus topic, which
 * every process receives (the bus is Redis in cluster mode), so that an open
 * agent socket ends with the sign-in or token it was opened with, wherever
 * it is held (issue 11.3). Storage is changed first; the event only tells
 * the sockets.
 */
import type { Bus } from '../bus/types.js';
import type { Storage } from '../storage/types.js';

/** The bus topic of CredentialsRevoked events. */
export const CREDENTIALS_TOPIC = 'credentials';

/** Any of: these sessions, these tokens, every credential of a user (but one session). */
export interface CredentialsRevoked {
  sessions?: string[];
  tokens?: string[];
  user?: { id: string; exceptSession?: string };
  /** said to the console as it closes */
  reason: string;
}

export function publishRevoked(bus: Bus, ev: CredentialsRevoked): void {
  bus.publish(CREDENTIALS_TOPIC, ev);
}

/** What an open socket holds, to match against an event. */
export interface HeldCredentials {
  userId: string;
  sessionId?: string;
  tokenId?: string;
}

/** True when `ev` ends the credentials a socket holds. */
export function revokes(ev: CredentialsRevoked, held: HeldCredentials): boolean {
  if (held.sessionId && ev.sessions?.includes(held.sessionId)) return true;
  if (held.tokenId && ev.tokens?.includes(held.tokenId)) return true;
  if (ev.user && ev.user.id === held.userId) return !(held.sessionId && held.sessionId === ev.user.exceptSession);
  return false;
}

type Tx = Pick<Storage, 'authSessions' | 'apiTokens'>;

/**
 * A password change: ends every session and token of the user except the
 * caller's own session (when the user changed their own password while
 * signed in by cookie). Returns the event to publish once the change is committed.
 */
export async function endOtherCredentials(tx: Tx, userId: string, exceptSession: string | undefined): Promise<CredentialsRevoked> {
  await tx.authSessions.deleteForUser(userId, exceptSession);
  for (const t of await tx.apiTokens.listForUser(userId)) await tx.apiTokens.delete(t.id);
  return { user: { id: userId, ...(exceptSession ? { exceptSession } : {}) }, reason: 'the password was changed' };
}

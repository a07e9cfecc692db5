/**
 * The console's HTTP calls (spec 5): sign-in, who am I, chat history, each
 * typed with the route's answer from @cw/protocol (the API's one schema
 * source). Requests go through client-core's `fetchJson` (same origin,
 * session cookie); failures are its `ApiError` with the server's message.
 */
import { ApiError, fetchJson } from '@cw/client-core';
import type { CallLogEntry, ChatDetail, ChatListItem, Me as MeShape, MissedItem } from '@cw/protocol';

/** The signed-in user, as GET /api/me answers. */
export type Me = MeShape;

export { ApiError };

/** Signs in; the server sets the session cookie. */
export async function login(username: string, password: string): Promise<void> {
  await fetchJson('POST', '/api/login', { username, password });
}

export async function logout(): Promise<void> {
  await fetchJson('POST', '/api/logout', {}).catch(() => {});
}

/** The signed-in user, or null when the session cookie is missing or expired. */
export async function me(): Promise<Me | null> {
  try {
    return await fetchJson<Me>('GET', '/api/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

/** A closed chat in the history list, as GET /api/chats answers. */
export type HistoryChat = ChatListItem;
/** One chat with its transcript, as GET /api/chats/:id answers. */
export type HistoryDetail = ChatDetail;

/** Your closed chats, newest first; `q` searches names, e-mail and text. */
export function listHistory(q: string): Promise<HistoryChat[]> {
  return fetchJson<ChatListItem[]>('GET', `/api/chats?q=${encodeURIComponent(q)}`);
}

/** A call of yours, as GET /api/calls answers (issue 15: calls in History). */
export type HistoryCall = CallLogEntry;

/** Your calls, newest first: answered by you, or to you or a group of yours and answered by nobody. */
export function listCalls(opts: { from?: number; limit?: number } = {}): Promise<HistoryCall[]> {
  const q = new URLSearchParams({ limit: String(opts.limit ?? 200) });
  if (opts.from !== undefined) q.set('from', String(opts.from));
  // An admin who uses the console sees their own calls here too (the admin app has the full log).
  q.set('mine', '1');
  return fetchJson<CallLogEntry[]>('GET', `/api/calls?${q}`);
}

/** One chat with its full transcript. */
export function getHistory(id: string): Promise<HistoryDetail> {
  return fetchJson<ChatDetail>('GET', `/api/chats/${encodeURIComponent(id)}`);
}

/** A missed contact (spec 11), as GET /api/missed answers. */
export type Missed = MissedItem;

/** Missed contacts you may see, newest first (`open` only by default). */
export function listMissed(state: 'open' | 'done' | 'all' = 'open'): Promise<Missed[]> {
  return fetchJson<MissedItem[]>('GET', state === 'all' ? '/api/missed' : `/api/missed?state=${state}`);
}

export function markMissed(id: string, state: 'open' | 'done'): Promise<Missed> {
  return fetchJson<MissedItem>('PATCH', `/api/missed/${encodeURIComponent(id)}`, { state });
}

/** Mails a chat's transcript (now when it has ended, else when it does). */
export async function sendTranscript(chatId: string, email: string): Promise<void> {
  await fetchJson('POST', `/api/chats/${encodeURIComponent(chatId)}/transcript`, { email });
}

/**
 * The console's HTTP calls (spec 5): sign-in, who am I, chat history.
 * Requests go through client-core's `fetchJson` (same origin, session
 * cookie); failures are its `ApiError` with the server's message.
 */
import { ApiError, fetchJson } from '@cw/client-core';
import type { User } from '@cw/protocol';

/** The signed-in user, as GET /api/me answers. */
export type Me = User;

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

/** A closed chat in the history list. */
export interface HistoryChat {
  id: string;
  visitorDn: string;
  visitorEmail: string;
  widgetName: string;
  state: string;
  closedBy: string | null;
  createdAt: number;
  closedAt: number | null;
  preview: string;
}

export interface HistoryMessage {
  id: string;
  from: 'visitor' | 'agent' | 'system';
  dn: string;
  text: string;
  ts: number;
}

type Loose = Record<string, any>;

/** Accepts the field spellings the API may use (visitorDn or from.dn, …). */
function toHistoryChat(c: Loose): HistoryChat {
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  const n = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    id: String(c.id ?? c.chat ?? ''),
    visitorDn: s(c.visitorDn ?? c.from?.dn ?? c.visitor?.dn),
    visitorEmail: s(c.visitorEmail ?? c.from?.email ?? c.visitor?.email),
    widgetName: s(c.widgetName ?? c.widget?.name),
    state: s(c.state),
    closedBy: (c.closedBy ?? c.by ?? null) as string | null,
    createdAt: n(c.createdAt) ?? n(c.ts) ?? 0,
    closedAt: n(c.closedAt),
    preview: s(c.preview ?? c.lastMessage?.text ?? c.lastText),
  };
}

/** Your closed chats, newest first; `q` searches names, e-mail and text. */
export async function listHistory(q: string): Promise<HistoryChat[]> {
  const r = await fetchJson<Loose[] | { chats: Loose[] }>('GET', `/api/chats?q=${encodeURIComponent(q)}`);
  const list = Array.isArray(r) ? r : (r.chats ?? []);
  return list.map(toHistoryChat);
}

/** One chat with its full transcript. */
export async function getHistory(id: string): Promise<{ chat: HistoryChat; messages: HistoryMessage[] }> {
  const r = await fetchJson<Loose>('GET', `/api/chats/${encodeURIComponent(id)}`);
  const chat = toHistoryChat(r.chat ?? r);
  const msgs = (r.messages ?? r.chat?.messages ?? []) as Loose[];
  return {
    chat,
    messages: msgs.map((m) => ({ id: String(m.id), from: m.from, dn: String(m.dn ?? ''), text: String(m.text ?? ''), ts: Number(m.ts ?? 0) })),
  };
}

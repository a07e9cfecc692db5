/**
 * The HTTP API client (spec section 5): same-origin JSON with the session
 * cookie. Failures become ApiError with the server's code, message and field.
 */
import type { DirectoryEntry, Flag, Group, User, Widget } from '@cw/protocol';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Which field of the body was wrong, e.g. "agents[0].media[1]". */
    readonly field?: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when any request answers 401 (the session ended). */
export function onUnauthorized(l: Listener): () => void {
  unauthorizedListeners.add(l);
  return () => unauthorizedListeners.delete(l);
}

/** Sends one request; resolves with the parsed JSON body (or undefined for 204). */
export async function request<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const d = (data ?? {}) as { error?: string; message?: string; field?: string };
    if (res.status === 401 && !opts.quiet401) unauthorizedListeners.forEach((l) => l());
    throw new ApiError(res.status, d.error ?? `http-${res.status}`, d.message ?? `The server answered ${res.status} ${res.statusText}.`, d.field);
  }
  return data as T;
}

/** Some endpoints may wrap a list in an object; accept both. */
function list<T>(v: unknown, key: string): T[] {
  if (Array.isArray(v)) return v as T[];
  if (v && typeof v === 'object' && Array.isArray((v as Record<string, unknown>)[key])) return (v as Record<string, T[]>)[key]!;
  return [];
}

function one<T>(v: unknown, key: string): T {
  if (v && typeof v === 'object' && key in (v as object) && typeof (v as Record<string, unknown>)[key] === 'object')
    return (v as Record<string, T>)[key]!;
  return v as T;
}

export type WidgetBody = Omit<Widget, 'uuid' | 'createdAt' | 'updatedAt'>;
export type UserBody = Partial<Omit<User, 'id'>> & { password?: string };

const enc = encodeURIComponent;

export const api = {
  login: (username: string, password: string) => request<unknown>('POST', '/api/login', { username, password }, { quiet401: true }),
  logout: () => request<unknown>('POST', '/api/logout', {}, { quiet401: true }),
  me: async () => one<User>(await request('GET', '/api/me', undefined, { quiet401: true }), 'user'),

  widgets: async () => list<Widget>(await request('GET', '/api/widgets'), 'widgets'),
  createWidget: async (w: Partial<WidgetBody>) => one<Widget>(await request('POST', '/api/widgets', w), 'widget'),
  widget: async (uuid: string) => one<Widget>(await request('GET', `/api/widgets/${enc(uuid)}`), 'widget'),
  putWidget: async (uuid: string, w: WidgetBody) => one<Widget>(await request('PUT', `/api/widgets/${enc(uuid)}`, w), 'widget'),
  deleteWidget: (uuid: string) => request<unknown>('DELETE', `/api/widgets/${enc(uuid)}`),
  embed: (uuid: string) => request<{ html: string }>('GET', `/api/widgets/${enc(uuid)}/embed`),

  directory: async (q: string) => list<DirectoryEntry>(await request('GET', `/api/directory?q=${enc(q)}`), 'results'),

  users: async () => list<User>(await request('GET', '/api/users'), 'users'),
  createUser: async (u: UserBody) => one<User>(await request('POST', '/api/users', u), 'user'),
  patchUser: async (id: string, u: UserBody) => one<User>(await request('PATCH', `/api/users/${enc(id)}`, u), 'user'),
  deleteUser: (id: string) => request<unknown>('DELETE', `/api/users/${enc(id)}`),

  groups: async () => list<Group>(await request('GET', '/api/groups'), 'groups'),
  createGroup: async (g: Omit<Group, 'id'>) => one<Group>(await request('POST', '/api/groups', g), 'group'),
  patchGroup: async (id: string, g: Partial<Omit<Group, 'id'>>) => one<Group>(await request('PATCH', `/api/groups/${enc(id)}`, g), 'group'),
  deleteGroup: (id: string) => request<unknown>('DELETE', `/api/groups/${enc(id)}`),

  flags: async () => list<Flag>(await request('GET', '/api/flags'), 'flags'),
  createFlag: async (name: string) => one<Flag>(await request('POST', '/api/flags', { name, value: false }), 'flag'),
  putFlag: async (id: string, f: { name?: string; value?: boolean }) => one<Flag>(await request('PUT', `/api/flags/${enc(id)}`, f), 'flag'),
  deleteFlag: (id: string) => request<unknown>('DELETE', `/api/flags/${enc(id)}`),
};

/** A JSON caller of the HTTP API with a session, for end-to-end test set-up and checks. */
import type { TestServer } from '@cw/testkit';

export type Api = <T = any>(method: string, path: string, body?: unknown) => Promise<T>;

/** Signs in by API with the given account and returns a JSON caller keeping the cookie; throws unless the login answers 200. */
export async function apiAs(server: TestServer, username: string, password: string): Promise<Api> {
  const login = await fetch(`${server.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (login.status !== 200) throw new Error(`login ${username} failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return async (method, path, body) => {
    const r = await fetch(`${server.url}${path}`, {
      method,
      headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as never;
  };
}

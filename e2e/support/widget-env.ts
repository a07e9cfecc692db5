/**
 * Test data for the widget's end-to-end tests, set up through the HTTP API
 * as an admin would: agents (users + tokens) and widgets, the embed code,
 * and host pages on a different origin.
 */
import type { TestServer } from '@cw/testkit';
import type { WidgetInput } from '@cw/protocol';

export type Api = <T = any>(method: string, path: string, body?: unknown) => Promise<T>;

/** Signs in as the first admin and returns a JSON API caller that keeps the session cookie. */
export async function adminApi(server: TestServer): Promise<Api> {
  const login = await fetch(`${server.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: server.adminUsername, password: server.adminPassword }),
  });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.getSetCookie?.() ?? [login.headers.get('set-cookie') ?? '']).map((c) => c.split(';')[0]).join('; ');
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

export interface TestAgent {
  id: string;
  sipId: string;
  dn: string;
  token: string;
}


/** Signs in as `username` and creates an API token for that user. */
export async function tokenFor(server: TestServer, username: string, password: string): Promise<string> {
  const login = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status}`);
  const cookie = (login.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const r = await fetch(`${server.url}/api/tokens`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'e2e' }) });
  if (r.status >= 300) throw new Error(`token for ${username}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

/** An agent with a token, ready for the agent channel. */
export async function agentWithToken(server: TestServer, api: Api, sipId: string, dn: string): Promise<TestAgent> {
  const password = `pw-${sipId}-12345`;
  const user = await api<{ id: string }>('POST', '/api/users', { username: sipId, password, displayName: dn, sipId, roles: ['agent'] });
  return { id: user.id, sipId, dn, token: await tokenFor(server, sipId, password) };
}

/** A widget body with sensible defaults. */
export function widgetBody(over: Partial<WidgetInput> & { agents: WidgetInput['agents'] }): WidgetInput {
  return {
    type: 'sidebar',
    name: 'Sales',
    lang: 'en',
    contact: { company: 'Example Ltd', address: '1 Main St, Springfield', phone: '+1 555 0100', email: 'sales@example.com' },
    appearance: { position: 'right', alwaysShow: false },
    allowedOrigins: [],
    ...over,
  };
}

/** Creates a widget and returns its uuid and the embed code the admin app shows. */
export async function createWidget(api: Api, body: WidgetInput): Promise<{ uuid: string; embed: string }> {
  const w = await api<{ uuid: string }>('POST', '/api/widgets', body);
  const e = await api<{ html: string }>('GET', `/api/widgets/${w.uuid}/embed`);
  return { uuid: w.uuid, embed: e.html };
}

/** A plain customer web page that embeds the given code snippets. */
export function hostPage(title: string, snippets: string[], extraHead = '', extraBody = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${title}</title>${extraHead}</head>
<body><header><h1>${title}</h1></header><main><p>Welcome to our shop.</p>${snippets.join('\n')}</main>${extraBody}</body></html>`;
}

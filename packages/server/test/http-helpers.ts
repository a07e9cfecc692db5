/** Helpers for the HTTP API tests: a signed-in client and a bus recorder. */
import { startTestServer, type TestServer } from '@cw/testkit';
import { DOMAIN_TOPIC, type DomainEvent } from '../src/bus/types.js';

export interface Res<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A client that behaves like the admin app (cookie + same Origin) or an integration (Bearer token). */
export class Api {
  constructor(
    readonly base: string,
    readonly auth: { cookie?: string; token?: string } = {},
  ) {}

  async req<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    const h: Record<string, string> = {};
    if (this.auth.cookie) {
      h.cookie = this.auth.cookie;
      h.origin = this.base;
    }
    if (this.auth.token) h.authorization = `Bearer ${this.auth.token}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    Object.assign(h, headers);
    const r = await fetch(this.base + path, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), redirect: 'manual' });
    const text = await r.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: r.status, headers: r.headers, body: parsed as T, text };
  }

  get = <T = any>(p: string, h?: Record<string, string>) => this.req<T>('GET', p, undefined, h);
  post = <T = any>(p: string, b?: unknown, h?: Record<string, string>) => this.req<T>('POST', p, b, h);
  put = <T = any>(p: string, b?: unknown, h?: Record<string, string>) => this.req<T>('PUT', p, b, h);
  patch = <T = any>(p: string, b?: unknown, h?: Record<string, string>) => this.req<T>('PATCH', p, b, h);
  del = <T = any>(p: string, h?: Record<string, string>) => this.req<T>('DELETE', p, undefined, h);
}

/** Signs in and returns a cookie client; throws when the login fails. */
export async function login(base: string, username: string, password: string): Promise<Api> {
  const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${await r.text()}`);
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
  return new Api(base, { cookie });
}

export interface Env {
  s: TestServer;
  admin: Api;
  anon: Api;
  events: DomainEvent[];
  /** creates a user with the agent role and returns a signed-in client */
  agent(username?: string, roles?: string[]): Promise<{ api: Api; user: any }>;
}

let n = 0;
/** Starts a server, signs the admin in and records bus events. */
export async function setup(): Promise<Env> {
  // HTTP_TEST_DATABASE_URL runs the API tests on PostgreSQL (give each file a fresh database).
  const s = await startTestServer(process.env.HTTP_TEST_DATABASE_URL ? { databaseUrl: process.env.HTTP_TEST_DATABASE_URL } : {});
  const admin = await login(s.url, s.adminUsername, s.adminPassword);
  const events: DomainEvent[] = [];
  s.bus.subscribe(DOMAIN_TOPIC, (e) => events.push(e as DomainEvent));
  return {
    s,
    admin,
    anon: new Api(s.url),
    events,
    async agent(username = `agent${++n}`, roles = ['agent']) {
      const r = await admin.post('/api/users', { username, password: 'agent-password', displayName: username, roles });
      if (r.status !== 201) throw new Error(`create agent: ${r.status} ${r.text}`);
      return { api: await login(s.url, username, 'agent-password'), user: r.body };
    },
  };
}

/** A valid widget body. */
export function widgetBody(over: Record<string, unknown> = {}): any {
  return {
    type: 'sidebar',
    name: 'Sales',
    agents: [{ sipId: 'atlantis', displayName: 'Atlantis', media: ['voice', 'video', 'chat', 'email'], availability: 'presence' }],
    ...over,
  };
}

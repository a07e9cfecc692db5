/**
 * The product under test, in its own process (so its RSS is its own): a real
 * server from startTestServer (SQLite in a temp dir, 127.0.0.1, port 0),
 * seeded with agents who have API tokens and with widgets.
 *
 * Users and tokens are written through Storage before a restart (the HTTP
 * API would hash a password per user, which is slow and not what we measure);
 * widgets are created through POST /api/widgets so the server sees ordinary
 * saves.
 */
import crypto from 'node:crypto';
import v8 from 'node:v8';
// The subpath, not the package index: the index also loads playwright-core, which would bloat the measured heap.
import { startTestServer, type TestServer } from '@cw/testkit/server';
import { serveRpc, settledMem, settledRss } from '../lib/rpc.js';

export interface Agent {
  sipId: string;
  dn: string;
  token: string;
}
export interface WidgetFixture {
  uuid: string;
  agents: Agent[];
}
export interface Fixtures {
  url: string;
  wsUrl: string;
  pid: number;
  adminToken: string;
  widgets: WidgetFixture[];
}

interface SeedArgs {
  /** widgets to create, each with this many agents (reach and availability: the SIP stage's phone agents) */
  widgets: { prefix: string; agents: number; type?: 'cards' | 'sidebar'; reach?: 'console' | 'phone'; availability?: 'presence' | 'always' }[];
  /** PostgreSQL instead of SQLite in a temp dir (a URL whose search_path names an empty schema) */
  databaseUrl?: string;
  /** more environment (cluster mode: REDIS_URL, REDIS_PREFIX, SECRETS_KEY) */
  env?: Record<string, string>;
}

/** The bench's raised per-address caps: every simulated visitor comes from 127.0.0.1. */
const BENCH_ENV = { MAX_CONNECTIONS_PER_IP: '10000000', CONTACTS_PER_IP: '10000000' };

let ts: TestServer | undefined;
let fixtures: Fixtures | undefined;

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const secret = () => crypto.randomBytes(32).toString('base64url');

async function api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${ts!.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

async function start(a: SeedArgs): Promise<Fixtures> {
  // Every simulated visitor comes from 127.0.0.1: the per-address caps (connections; new chats and calls) are raised
  // far above the load (they still count, so their cost is measured).
  ts = await startTestServer({ logLevel: process.env.BENCH_SERVER_LOG ?? 'silent', env: { ...BENCH_ENV, ...a.env }, ...(a.databaseUrl ? { databaseUrl: a.databaseUrl } : {}) });
  const s = ts.storage;
  const admin = await s.users.getByUsername(ts.adminUsername);
  if (!admin) throw new Error('the first admin was not created');
  const adminToken = secret();
  await s.apiTokens.create({ userId: admin.id, name: 'bench', tokenHash: sha256(adminToken) });

  const plan: { prefix: string; type: 'cards' | 'sidebar'; availability: 'presence' | 'always'; agents: Agent[] }[] = [];
  for (const w of a.widgets) {
    const agents: Agent[] = [];
    for (let i = 0; i < w.agents; i++) {
      const sipId = `${w.prefix}${i}`;
      const token = secret();
      const u = await s.users.create({
        username: sipId,
        displayName: `Agent ${sipId}`,
        sipId,
        email: `${sipId}@example.com`,
        phone: '',
        department: 'Sales',
        roles: ['agent'],
        passwordHash: '!bench-no-login',
        reach: w.reach ?? 'console',
      });
      await s.apiTokens.create({ userId: u.id, name: 'bench', tokenHash: sha256(token) });
      agents.push({ sipId, dn: `Agent ${sipId}`, token });
    }
    plan.push({ prefix: w.prefix, type: w.type ?? 'cards', availability: w.availability ?? 'presence', agents });
  }
  // Boot again so that anything the server builds from storage at start sees the seeded users.
  await ts.restart();

  const widgets: WidgetFixture[] = [];
  for (const p of plan) {
    const body = {
      type: p.type,
      name: `Bench ${p.prefix}`,
      lang: 'en',
      contact: { company: 'Example Ltd', phone: '+1 555 0100', email: 'sales@example.com' },
      agents: p.agents.map((ag) => ({ sipId: ag.sipId, displayName: ag.dn, media: ['voice', 'video', 'chat', 'email'], availability: p.availability })),
    };
    const r = await api('POST', '/api/widgets', adminToken, body);
    if (r.status !== 201 && r.status !== 200) throw new Error(`POST /api/widgets answered ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
    widgets.push({ uuid: r.json.uuid, agents: p.agents });
  }
  fixtures = { url: ts.url, wsUrl: ts.wsUrl, pid: process.pid, adminToken, widgets };
  return fixtures;
}

/**
 * SIP timing, taken inside the product process: when each INVITE was handed
 * to the transport and when its 200 OK arrived (the connector's own marks),
 * on the clock the harness uses (performance.timeOrigin + now()).
 */
const sipMarks: { target: string; invite: number; answered?: number }[] = [];
function traceSip(): void {
  const c = ts!.app.phone.connector;
  const call = c.call.bind(c);
  c.call = (target, sdp, opts) => {
    const sc = call(target, sdp, opts);
    const mark = { target, invite: performance.timeOrigin + performance.now() };
    sipMarks.push(mark);
    sc.onAnswer(() => (mark as { answered?: number }).answered = performance.timeOrigin + performance.now());
    return sc;
  };
}

/** Another process of a cluster whose first process ran start() (same database and environment): no seeding. */
async function join(a: { databaseUrl: string; env: Record<string, string> }): Promise<{ url: string; wsUrl: string; pid: number }> {
  ts = await startTestServer({ logLevel: process.env.BENCH_SERVER_LOG ?? 'silent', env: { ...BENCH_ENV, ...a.env }, databaseUrl: a.databaseUrl });
  return { url: ts.url, wsUrl: ts.wsUrl, pid: process.pid };
}

serveRpc({
  start,
  join,
  phoneSystem: async (a: { registrar: string; domain: string }) => {
    const r = await api('PUT', '/api/phone-system', fixtures!.adminToken, { enabled: true, registrar: a.registrar, domain: a.domain, username: 'widgets', password: 'bench-secret', registerIntervalS: 300 });
    if (r.status !== 200) throw new Error(`PUT /api/phone-system answered ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
    traceSip();
    const until = Date.now() + 15_000;
    while (ts!.app.phone.status().state !== 'registered') {
      if (Date.now() > until) throw new Error(`not registered: ${JSON.stringify(ts!.app.phone.status())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return ts!.app.phone.status();
  },
  sipMarks: () => sipMarks.splice(0),
  activeSipCalls: () => ts!.app.phone.connector.activeCalls,
  info: () => fixtures,
  rss: () => settledRss(),
  mem: () => settledMem(),
  heapSnapshot: (a: { path: string }) => v8.writeHeapSnapshot(a.path),
  close: async () => {
    try {
      await ts?.close();
    } finally {
      // exit through process.exit so --cpu-prof writes its profile
      setImmediate(() => process.exit(0));
    }
  },
});

/**
 * End-to-end setup for cluster mode: three real server processes behind
 * HAProxy (the README's configuration) on a private PostgreSQL and Redis
 * (testkit startCluster), agents and a widget made through the API, and one
 * "customer website" per process whose widget talks to that process (its
 * pinned HAProxy frontend, which falls back to the others when it dies).
 * `via(i)` gives the console-world `World` of process i, so the console and
 * widget helpers work unchanged.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, startCluster, startSite, type TestCluster, type TestServer } from '@cw/testkit';
import { hostPage, type AgentCreds, type World } from './console-world.js';

export interface ClusterWorld {
  cluster: TestCluster;
  agents: AgentCreds[];
  widgetUuid: string;
  widgetName: string;
  /** the admin's session cookie (through the balancer) */
  adminCookie: string;
  /** API call through the balancer as the admin; throws on non-2xx */
  api<T = any>(method: string, path: string, body?: unknown, base?: string): Promise<T>;
  /** the World of process `i` (0-based): console and widget pinned to it */
  via(i: number): World;
  close(): Promise<void>;
}

const PASSWORD_SUFFIX = '-Cluster-2026-horizon';

export async function startClusterWorld(agentCount = 2, env: Record<string, string> = {}): Promise<ClusterWorld> {
  const cluster = await startCluster({ env });
  const sites: { url: string; close(): Promise<void> }[] = [];
  try {
    const login = await fetch(`${cluster.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: cluster.adminUsername, password: cluster.adminPassword }) });
    if (login.status !== 200) throw new Error(`admin login: ${login.status}`);
    const adminCookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const api = async <T = any>(method: string, path: string, body?: unknown, base = cluster.url): Promise<T> => {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { cookie: adminCookie, origin: base, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${text}`);
      return (text ? JSON.parse(text) : null) as T;
    };
    const names = ['Ann Agent', 'Ben Agent', 'Cleo Agent'];
    const agents: AgentCreds[] = [];
    for (let i = 0; i < agentCount; i++) {
      const displayName = names[i]!;
      const username = displayName.split(' ')[0]!.toLowerCase();
      const password = `${username}${PASSWORD_SUFFIX}`;
      const u = await api('POST', '/api/users', { username, password, displayName, sipId: username, roles: ['agent'] });
      agents.push({ id: u.id, username, password, sipId: username, displayName });
    }
    const widgetName = 'Sales';
    const w = await api('POST', '/api/widgets', {
      type: 'sidebar',
      name: widgetName,
      lang: 'en',
      appearance: { alwaysShow: true },
      agents: agents.map((a) => ({ sipId: a.sipId, displayName: a.displayName, media: ['voice', 'video', 'chat'], availability: 'presence' })),
    });
    const servers = cluster.nodes.map((n) => ({ url: n.pinnedUrl, wsUrl: n.pinnedUrl.replace(/^http/, 'ws'), port: Number(new URL(n.pinnedUrl).port) }) as unknown as TestServer);
    for (const s of servers) sites.push(await startSite({ '/': hostPage(s, w.uuid) }));
    return {
      cluster,
      agents,
      widgetUuid: w.uuid,
      widgetName,
      adminCookie,
      api,
      via: (i) => ({
        server: servers[i]!,
        site: sites[i]!,
        widgetUuid: w.uuid,
        widgetName,
        agents,
        adminCookie,
        close: async () => {},
      }),
      async close() {
        await Promise.allSettled(sites.map((s) => s.close()));
        await cluster.close();
      },
    };
  } catch (err) {
    await Promise.allSettled(sites.map((s) => s.close()));
    await cluster.close();
    throw err;
  }
}

/** For a describe block: a cluster world and Chromium, started before its tests and closed after them. */
export function useClusterWorld(agentCount = 2, env: Record<string, string> = {}): { readonly world: ClusterWorld; readonly browser: Browser } {
  let world: ClusterWorld | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    world = await startClusterWorld(agentCount, env);
    browser = await launchChromium();
  }, 400_000);
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  }, 60_000);
  return {
    get world() {
      if (!world) throw new Error('the cluster world is not started (useClusterWorld runs in beforeAll)');
      return world;
    },
    get browser() {
      if (!browser) throw new Error('Chromium is not started (useClusterWorld runs in beforeAll)');
      return browser;
    },
  };
}

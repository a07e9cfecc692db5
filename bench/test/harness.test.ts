/**
 * The harness's moving parts, end to end on a small scale and without timing
 * assertions: a bare ws server process, a visitor swarm process, a fan-out
 * round through them, and the chat relay.
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { barePairs, closePairs, productPairs, runChat } from '../lib/chat.js';
import { spawnChild, type Child } from '../lib/rpc.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const logDir = path.join(os.tmpdir(), `bench-harness-test-${process.pid}`);
const children: Child[] = [];

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
});

describe('bench harness', () => {
  it('fans a frame out from the bare server to a visitor swarm and relays chat', async () => {
    const server = await spawnChild('bare', path.join(HERE, '..', 'servers', 'bare.ts'), { gc: true, logDir });
    children.push(server);
    const { url, wsUrl } = await server.call('info');
    const mem = await server.call('mem');
    expect(mem.rss).toBeGreaterThan(0);

    const swarm = await spawnChild('visitors', path.join(HERE, '..', 'clients', 'visitors.ts'), { logDir });
    children.push(swarm);
    const r = await swarm.call('connect', { url: `${wsUrl}/ws/widget`, n: 50, mode: 'bare' });
    expect(r.ready).toBe(50);
    expect(await server.call('count')).toBe(50);

    const armed = await swarm.call('arm', { match: ['"mt":"Info"', '"presence":"busy"'] });
    expect(armed.expect).toBe(50);
    const res = await fetch(`${url}/broadcast`, { method: 'POST', body: JSON.stringify({ mt: 'Info', id: 'a', presence: 'busy' }) });
    expect(res.status).toBe(204);
    const got = await swarm.call('collect', { timeoutMs: 10_000 });
    expect(got).toMatchObject({ complete: true, count: 50 });
    expect(got.last).toBeGreaterThanOrEqual(got.first);

    const pairs = await barePairs(wsUrl, 2);
    const chat = runChat(pairs, 20);
    // Wait for a relayed message on each pair (an event, not a delay).
    await Promise.all(pairs.map((p) => p.agent.next('ChatMessage', 10_000)));
    const s = await chat.stop();
    expect(s.samples.length).toBeGreaterThan(0);
    expect(s.lost).toBe(0);
    await closePairs(pairs);
  });
});

describe('bench harness against the product', () => {
  it('seeds a widget, loads visitors, fans a presence change out and relays a chat', async () => {
    const server = await spawnChild('product', path.join(HERE, '..', 'servers', 'product.ts'), { gc: true, logDir });
    children.push(server);
    const f = await server.call('start', { widgets: [{ prefix: 'ag', agents: 3 }] }, 60_000);
    const w = f.widgets[0];
    const put = (sipId: string, presence: string) =>
      fetch(`${f.url}/api/presence/${sipId}`, { method: 'PUT', headers: { authorization: `Bearer ${f.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ presence }) });
    expect(w.agents).toHaveLength(3);
    for (const ag of w.agents) expect((await put(ag.sipId, 'online')).status).toBe(200);

    const swarm = await spawnChild('product-visitors', path.join(HERE, '..', 'clients', 'visitors.ts'), { logDir });
    children.push(swarm);
    const r = await swarm.call('connect', { url: `${f.wsUrl}/ws/widget`, n: 20, mode: 'product', uuid: w.uuid, infos: 3 }, 60_000);
    expect(r.errors).toEqual([]);
    expect(r.ready).toBe(20);
    expect(r.infoSample).toContain('"mt":"Info"');

    await swarm.call('arm', { match: ['"mt":"Info"', '"id":"ag2"', '"presence":"busy"'] });
    expect((await put('ag2', 'busy')).status).toBe(200);
    expect(await swarm.call('collect', { timeoutMs: 10_000 })).toMatchObject({ complete: true, count: 20 });

    const pairs = await productPairs(f.wsUrl, w.uuid, w.agents.slice(0, 1));
    const chat = runChat(pairs, 10);
    await pairs[0]!.agent.next('ChatMessage', 10_000);
    const s = await chat.stop();
    expect(s.samples.length).toBeGreaterThan(0);
    await closePairs(pairs);
    // Spawning the product server (tsx) alone can take most of the default 20 s on a loaded shared machine.
  }, 120_000);
});

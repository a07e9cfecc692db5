/** OpenAPI completeness, static bundles, security headers, error handling and health of the HTTP side. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import Fastify, { type RouteOptions } from 'fastify';
import { apiComponents, WidgetInput } from '@cw/protocol/api';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { registerHttp } from '../src/http/index.js';
import { staticRoutes } from '../src/http/static.js';
import { MemoryBus } from '../src/bus/memory.js';
import type { Storage } from '../src/storage/types.js';
import { setup, type Env } from './http-helpers.js';

let env: Env;
beforeAll(async () => {
  env = await setup();
});
afterAll(async () => {
  await env?.s.close();
});

describe('OpenAPI', () => {
  it('describes every registered /api route, with both security schemes', async () => {
    const app = Fastify();
    const routes: RouteOptions[] = [];
    app.addHook('onRoute', (r) => void routes.push(r));
    await registerHttp(app, { ...env.s.app.deps });
    await app.ready();
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearerAuth', 'cookieAuth']);
    const api = routes.flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((m) => [m, r.url] as const)).filter(([m, u]) => u.startsWith('/api') && m !== 'HEAD');
    expect(api.length).toBeGreaterThan(30);
    for (const [m, u] of api) {
      const p = u.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      expect(doc.paths[p]?.[m.toLowerCase()], `${m} ${u}`).toBeDefined();
    }
    // every $ref resolves
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[^"]+/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(doc.components.schemas[r.split('/').pop()!], r).toBeDefined();
    await app.close();
  });

  it('is a valid OpenAPI 3.1 document, by an independent validator', async () => {
    const doc = (await env.anon.get('/api/openapi.json')).body;
    // swagger-parser checks the document against the OpenAPI 3.1 schema and resolves every $ref.
    const checked = (await SwaggerParser.validate(structuredClone(doc))) as any;
    expect(checked.openapi).toBe('3.1.0');
    expect(Object.keys(checked.paths).length).toBeGreaterThan(15);
  });

  it('takes its shapes from the schemas the routes validate with (one source)', async () => {
    const doc = (await env.anon.get('/api/openapi.json')).body;
    expect(Object.keys(doc.components.schemas).sort()).toEqual(Object.keys(apiComponents).sort());
    // The component is the validator's schema, with named shapes inside replaced by $refs.
    expect(doc.components.schemas.WidgetInput.properties.name).toEqual(JSON.parse(JSON.stringify(WidgetInput.properties.name)));
    expect(doc.components.schemas.WidgetInput.properties.agents).toEqual({ type: 'array', maxItems: 1000, items: { $ref: '#/components/schemas/WidgetAgent' } });
    expect(doc.paths['/api/chats'].get.parameters.map((p: any) => [p.name, p.required])).toEqual([['q', false], ['limit', false], ['all', false]]);
    expect(doc.paths['/api/widgets/{uuid}'].put.parameters).toEqual([{ name: 'uuid', in: 'path', required: true, schema: { type: 'string' }, description: 'the widget uuid' }]);
  });

  it('describes every /api route of the whole app (whoever registered it)', async () => {
    const doc = (await env.anon.get('/api/openapi.json')).body;
    const api = env.s.app.routeTable.seen.filter((r) => r.url.startsWith('/api') && r.method !== 'HEAD');
    expect(api.length).toBeGreaterThan(30);
    for (const { method, url } of api) expect(doc.paths[url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[method.toLowerCase()], `${method} ${url}`).toBeDefined();
  });

  it('is public and covers the spec routes', async () => {
    const r = await env.anon.get('/api/openapi.json');
    expect(r.status).toBe(200);
    for (const p of ['/api/login', '/api/logout', '/api/tokens', '/api/users', '/api/users/{id}', '/api/groups', '/api/groups/{id}', '/api/directory', '/api/widgets', '/api/widgets/{uuid}', '/api/widgets/{uuid}/embed', '/api/widgets/{uuid}/preview.html', '/api/flags', '/api/flags/{id}', '/api/presence/{sipId}', '/healthz', '/readyz'])
      expect(r.body.paths[p], p).toBeDefined();
    expect(r.body.paths['/api/widgets'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/WidgetInput' });
    expect(r.body.paths['/api/login'].post.security).toEqual([]);
    const ops = Object.values(r.body.paths).flatMap((p: any) => Object.values(p)) as any[];
    const ids = ops.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of ops) expect(Object.keys(o.responses).length, o.operationId).toBeGreaterThan(0);
  });
});

describe('errors', () => {
  it('invalid JSON, wrong content type, oversized and non-object bodies are clear 4xx JSON', async () => {
    const token = (await env.admin.post('/api/tokens', { name: 't' })).body.token;
    const cases: [string, Record<string, string>, string | Uint8Array, number, string][] = [
      ['/api/flags', { 'content-type': 'application/json' }, '{"name":', 400, 'bad-request'],
      ['/api/flags', { 'content-type': 'application/json' }, '{"__proto__":{"x":1},"name":"a"}', 400, 'bad-request'],
      ['/api/flags', { 'content-type': 'text/plain' }, '{"name":"a"}', 415, 'unsupported-media-type'],
      ['/api/flags', { 'content-type': 'application/x-www-form-urlencoded' }, 'name=a', 415, 'unsupported-media-type'],
      ['/api/flags', { 'content-type': 'application/json' }, '[1,2]', 400, 'validation-failed'],
      ['/api/flags', { 'content-type': 'application/json' }, 'null', 400, 'validation-failed'],
      ['/api/flags', { 'content-type': 'application/json' }, '', 400, 'validation-failed'],
      ['/api/flags', { 'content-type': 'application/json' }, new Uint8Array(5 * 1024 * 1024).fill(0x20), 413, 'payload-too-large'],
      // widgets take several pictures of up to 2 MiB each: their limit is 32 MiB
      ['/api/widgets', { 'content-type': 'application/json' }, new Uint8Array(33 * 1024 * 1024).fill(0x20), 413, 'payload-too-large'],
    ];
    for (const [p, h, body, status, code] of cases) {
      const res = await fetch(env.s.url + p, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...h }, body: body as BodyInit });
      expect(res.status, `${code} ${String(body).slice(0, 30)}`).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ error: code, message: expect.any(String) });
    }
  });

  it('malformed URLs and over-long parameters answer 400 JSON', async () => {
    for (const u of ['/api/widgets/%zz', `/api/widgets/${'x'.repeat(5000)}`]) {
      const r = await env.admin.get(u);
      expect(r.status, u.slice(0, 30)).toBe(400);
      expect(r.body).toMatchObject({ error: 'bad-request', message: expect.any(String) });
    }
  });

  it('unknown /api routes answer 404 JSON; other paths plain 404', async () => {
    const r = await env.admin.get('/api/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: 'not-found' });
    expect((await env.anon.get('/nothing-here')).status).toBe(404);
  });

  it('API answers carry nosniff, a referrer policy and no-store', async () => {
    const r = await env.admin.get('/api/me');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBeTruthy();
    expect(r.headers.get('cache-control')).toBe('no-store');
  });
});

describe('health', () => {
  it('/healthz and /readyz need no login', async () => {
    expect((await env.anon.get('/healthz')).body).toEqual({ ok: true });
    expect((await env.anon.get('/readyz')).status).toBe(200);
  });

  it('/readyz answers 503 when storage is unreachable', async () => {
    const broken = new Proxy(env.s.storage, {
      get(t, k) {
        if (k === 'ping') return async () => { throw new Error('down'); };
        const v = Reflect.get(t, k);
        return typeof v === 'function' ? v.bind(t) : v;
      },
    }) as Storage;
    const app = await buildApp({ config: env.s.config, storage: broken, bus: new MemoryBus(), logger: pino({ level: 'silent' }) });
    const r = await app.inject({ method: 'GET', url: '/readyz' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ error: 'unavailable' });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await app.close();
  });
});

describe('static bundles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-static-'));
  const roots = { widget: path.join(dir, 'widget'), admin: path.join(dir, 'admin'), agent: path.join(dir, 'agent') };

  it('answers 503 with a build hint when a dist folder is missing', async () => {
    const app = Fastify();
    await staticRoutes(app, { roots });
    for (const url of ['/widget.js', '/widget/chunk.js', '/admin/', '/agent/', '/agent/calls']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(503);
      expect(r.body).toContain('npm run build');
    }
    await app.close();
  });

  it('serves the widget with CORS, JS type, short cache and ETag (304); the apps as SPAs with security headers', async () => {
    fs.mkdirSync(path.join(roots.widget, 'chunks'), { recursive: true });
    fs.writeFileSync(path.join(roots.widget, 'widget.js'), 'console.log(1)');
    fs.writeFileSync(path.join(roots.widget, 'chunks', 'call.js'), 'export {}');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'TOP-SECRET-CONTENT');
    for (const r of [roots.admin, roots.agent]) {
      fs.mkdirSync(r, { recursive: true });
      fs.writeFileSync(path.join(r, 'index.html'), `<!doctype html><title>${path.basename(r)}</title>`);
      fs.writeFileSync(path.join(r, 'app.js'), 'x');
    }
    const app = Fastify();
    await staticRoutes(app, { roots });
    const w = await app.inject({ method: 'GET', url: '/widget.js' });
    expect(w.statusCode).toBe(200);
    expect(w.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(w.headers['access-control-allow-origin']).toBe('*');
    expect(w.headers['cache-control']).toMatch(/max-age=\d+/);
    const etag = w.headers.etag as string;
    expect(etag).toBeTruthy();
    expect((await app.inject({ method: 'GET', url: '/widget.js', headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    const chunk = await app.inject({ method: 'GET', url: '/widget/chunks/call.js' });
    expect(chunk.statusCode).toBe(200);
    expect(chunk.headers['access-control-allow-origin']).toBe('*');
    expect((await app.inject({ method: 'GET', url: '/widget/../secret.txt' })).body).not.toContain('TOP-SECRET');
    expect((await app.inject({ method: 'GET', url: '/widget/%2e%2e/secret.txt' })).body).not.toContain('TOP-SECRET');
    expect((await app.inject({ method: 'GET', url: '/widget/missing.js' })).statusCode).toBe(404);

    expect((await app.inject({ method: 'GET', url: '/' })).headers.location).toBe('/admin');
    expect((await app.inject({ method: 'GET', url: '/admin' })).headers.location).toBe('/admin/');
    for (const [url, title] of [['/admin/', 'admin'], ['/admin/widgets/123', 'admin'], ['/agent/', 'agent'], ['/agent/history', 'agent']]) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toContain(`<title>${title}</title>`);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    }
    expect((await app.inject({ method: 'GET', url: '/admin/app.js' })).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await app.inject({ method: 'GET', url: '/admin/missing.js' })).statusCode).toBe(404);
    await app.close();
  });
});

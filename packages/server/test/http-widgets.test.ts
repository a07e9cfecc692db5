/** Widgets, pictures, embed code, preview page and flags through the HTTP API. */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, widgetBody, type Env } from './http-helpers.js';

let env: Env;
beforeAll(async () => {
  env = await setup();
});
afterAll(async () => {
  await env?.s.close();
});

async function png(w: number, h: number): Promise<string> {
  const b = await sharp({ create: { width: w, height: h, channels: 4, background: { r: 200, g: 30, b: 60, alpha: 0.5 } } }).png().toBuffer();
  return `data:image/png;base64,${b.toString('base64')}`;
}
const bytesOf = (url: string) => Buffer.from(url.split(',')[1]!, 'base64');

describe('widgets', () => {
  it('POST creates with defaults and answers 201 with the full widget; GET lists and reads it', async () => {
    env.events.length = 0;
    const r = await env.admin.post('/api/widgets', widgetBody());
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      uuid: expect.any(String),
      type: 'sidebar',
      name: 'Sales',
      notes: '',
      lang: 'en',
      contact: {},
      appearance: {},
      allowedOrigins: [],
    });
    expect(r.body.agents[0]).toEqual({
      sipId: 'atlantis', displayName: 'Atlantis', department: '', phone: '', email: '', picture: '',
      media: ['voice', 'video', 'chat', 'email'], availability: 'presence', flag: null, link: '', address: '',
    });
    expect(env.events).toContainEqual({ t: 'widget-updated', uuid: r.body.uuid });
    const list = await env.admin.get('/api/widgets');
    expect(Array.isArray(list.body)).toBe(true);
    expect(list.body.map((w: any) => w.uuid)).toContain(r.body.uuid);
    expect((await env.admin.get(`/api/widgets/${r.body.uuid}`)).body).toEqual(r.body);
  });

  it('keeps the full spec example as sent', async () => {
    const body = {
      type: 'cards', name: 'Full', notes: 'used on https://example.com/shop', lang: 'de',
      contact: { company: 'Example Ltd', address: '1 Main St, Springfield', phone: '+1 555 0100', email: 'sales@example.com' },
      appearance: { position: 'left', alwaysShow: true, fontFamily: 'Georgia, serif', fontSize: '14px', colors: { primary: '#0a7d5c', background: '#ffffff', text: '#1a1a1a' }, margin: { top: 0, right: 10, bottom: 20, left: 0 }, zIndex: 1000 },
      allowedOrigins: ['https://shop.example.com', 'https://*.example.org'],
      agents: [{ sipId: 'atlantis', displayName: 'Atlantis', department: 'Sales', phone: '+1', email: 'a@example.com', picture: '', media: ['chat'], availability: 'always', flag: null, link: 'https://example.com/hours' }],
    };
    const r = await env.admin.post('/api/widgets', body);
    expect(r.status).toBe(201);
    const { uuid, createdAt, updatedAt, ...rest } = r.body;
    // Spec 11's and 14's additions with their defaults: no schedule, the offline form on without consent text or
    // addresses, the widget's own heading and greeting empty (the visitor's language's defaults then); an agent entry
    // without an address of its own (issue 15) shows the widget's.
    expect(rest).toEqual({ ...body, agents: body.agents.map((a) => ({ ...a, address: '' })), scheduleId: null, offline: { enabled: true, consentText: '', notify: [] }, texts: { title: '', greeting: '' } });
  });

  it('PUT replaces the whole widget and publishes widget-updated', async () => {
    const c = await env.admin.post('/api/widgets', widgetBody({ notes: 'old', allowedOrigins: ['https://a.example'] }));
    env.events.length = 0;
    const r = await env.admin.put(`/api/widgets/${c.body.uuid}`, { type: 'cards', name: 'Renamed' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ uuid: c.body.uuid, type: 'cards', name: 'Renamed', notes: '', allowedOrigins: [], agents: [] });
    expect(env.events).toEqual([{ t: 'widget-updated', uuid: c.body.uuid }]);
  });

  it('DELETE removes it (204), publishes widget-deleted, then 404', async () => {
    const c = await env.admin.post('/api/widgets', widgetBody());
    env.events.length = 0;
    expect((await env.admin.del(`/api/widgets/${c.body.uuid}`)).status).toBe(204);
    expect(env.events).toEqual([{ t: 'widget-deleted', uuid: c.body.uuid }]);
    for (const r of [await env.admin.get(`/api/widgets/${c.body.uuid}`), await env.admin.del(`/api/widgets/${c.body.uuid}`), await env.admin.put(`/api/widgets/${c.body.uuid}`, widgetBody())]) {
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ error: 'not-found', message: expect.any(String) });
    }
  });

  it('400 with the field for invalid bodies', async () => {
    const cases: [unknown, string][] = [
      [widgetBody({ agents: [{ sipId: 'a', media: ['voice', 'fax'], availability: 'presence' }] }), 'agents[0].media[1]'],
      [widgetBody({ agents: [{ sipId: 'a', media: ['voice'], availability: 'sometimes' }] }), 'agents[0].availability'],
      [widgetBody({ agents: [{ sipId: 'a', media: ['voice'], availability: 'boolean' }] }), 'agents[0].flag'],
      [widgetBody({ agents: [{ sipId: 'a', media: ['voice'], availability: 'boolean', flag: 'no-such-flag' }] }), 'agents[0].flag'],
      [widgetBody({ agents: [{ sipId: 'a', media: ['voice'], availability: 'presence', flag: 'no-such-flag' }] }), 'agents[0].flag'],
      [widgetBody({ agents: [{ sipId: 'a', media: ['voice'], availability: 'presence', link: 'javascript:alert(1)' }] }), 'agents[0].link'],
      [widgetBody({ agents: [{ sipId: 'a', media: ['voice'], availability: 'presence' }, { sipId: 'a', media: ['chat'], availability: 'always' }] }), 'agents[1].sipId'],
      [widgetBody({ agents: [{ sipId: 'a', media: ['voice'], availability: 'presence', address: 'x'.repeat(501) }] }), 'agents[0].address'],
      [widgetBody({ agents: [{ sipId: 'a', media: ['voice'], availability: 'presence', address: 7 }] }), 'agents[0].address'],
      [widgetBody({ type: 'popup' }), 'type'],
      [widgetBody({ name: '' }), 'name'],
      [widgetBody({ lang: 'xx' }), 'lang'],
      [widgetBody({ allowedOrigins: ['shop.example.com'] }), 'allowedOrigins[0]'],
      [widgetBody({ appearance: { colors: { primary: 'red;}' } } }), 'appearance.colors.primary'],
      [{ name: 'x' }, 'type'],
      [[1, 2], ''],
    ];
    for (const [body, field] of cases) {
      const r = await env.admin.post('/api/widgets', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toMatchObject({ error: 'validation-failed', message: expect.any(String), field });
    }
    const r = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'a', media: ['voice', 'fax'], availability: 'presence' }] }));
    expect(r.body.message).toBe('agents[0].media[1] must be one of "voice", "video", "chat", "email"');
  });

  it('a rejected PUT leaves the stored widget unchanged and publishes nothing', async () => {
    const c = await env.admin.post('/api/widgets', widgetBody());
    const before = await env.s.storage.widgets.get(c.body.uuid);
    env.events.length = 0;
    const bad = [
      widgetBody({ name: 'Changed', agents: [{ sipId: 'a', media: ['voice'], availability: 'boolean', flag: 'missing' }] }),
      widgetBody({ name: 'Changed', agents: [{ sipId: 'a', media: ['voice'], availability: 'presence', picture: 'data:image/png;base64,AAAA' }] }),
      widgetBody({ name: 'Changed', agents: [{ sipId: 'a', media: ['voice'], availability: 'presence', address: 'y'.repeat(501) }] }),
      '{"type":"sidebar","name":"Changed"',
    ];
    for (const b of bad) expect((await env.admin.put(`/api/widgets/${c.body.uuid}`, b)).status).toBe(400);
    expect(await env.s.storage.widgets.get(c.body.uuid)).toEqual(before);
    expect(env.events).toEqual([]);
  });

  it('an agent entry keeps its own address (issue 15), trimmed; 500 characters at most', async () => {
    const r = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'q', media: ['chat'], availability: 'always', address: '  Harbour Office, 2 Quay St  ' }, { sipId: 'r', media: ['chat'], availability: 'always', address: 'é'.repeat(500) }] }));
    expect(r.status).toBe(201);
    expect(r.body.agents.map((a: { address: string }) => a.address)).toEqual(['Harbour Office, 2 Quay St', 'é'.repeat(500)]);
    expect((await env.admin.get(`/api/widgets/${r.body.uuid}`)).body.agents[0].address).toBe('Harbour Office, 2 Quay St');
  });

  it('agents entries may use an existing flag', async () => {
    const f = await env.admin.post('/api/flags', { name: 'Open' });
    const r = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'q', media: ['chat'], availability: 'boolean', flag: f.body.id }] }));
    expect(r.status).toBe(201);
    expect(r.body.agents[0].flag).toBe(f.body.id);
  });
});

describe('pictures', () => {
  it('re-encodes a PNG to a 256x256 JPEG data URL', async () => {
    const r = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'p', media: ['chat'], availability: 'always', picture: await png(800, 600) }] }));
    expect(r.status).toBe(201);
    const pic: string = r.body.agents[0].picture;
    expect(pic).toMatch(/^data:image\/jpeg;base64,/);
    const meta = await sharp(bytesOf(pic)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 256, 256]);
    expect(bytesOf(pic).length).toBeLessThan(40_000);
  });

  it('accepts WebP, GIF and JPEG (a large one shrinks), always answering a 256x256 JPEG', async () => {
    const img = sharp({ create: { width: 1200, height: 900, channels: 3, background: '#44aa88' } });
    const inputs = {
      webp: await img.clone().webp().toBuffer(),
      gif: await img.clone().resize(300, 200).gif().toBuffer(),
      jpeg: await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).jpeg({ quality: 90 }).toBuffer(),
    };
    for (const [fmt, buf] of Object.entries(inputs)) {
      const r = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'p', media: ['chat'], availability: 'always', picture: `data:image/${fmt};base64,${buf.toString('base64')}` }] }));
      expect(r.status, fmt).toBe(201);
      const out = bytesOf(r.body.agents[0].picture);
      const meta = await sharp(out).metadata();
      expect([meta.format, meta.width, meta.height], fmt).toEqual(['jpeg', 256, 256]);
      expect(out.length, fmt).toBeLessThan(64 * 1024);
      if (fmt === 'jpeg') expect(out.length).toBeLessThan(buf.length / 10);
    }
  });

  it('re-encodes a small JPEG that carries EXIF (no location data leaks to visitors)', async () => {
    const raw = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#ffcc00' } }).jpeg().withExif({ IFD0: { Copyright: 'secret camera owner' } }).toBuffer();
    expect((await sharp(raw).metadata()).exif).toBeDefined();
    const r = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'p', media: ['chat'], availability: 'always', picture: `data:image/jpeg;base64,${raw.toString('base64')}` }] }));
    const meta = await sharp(bytesOf(r.body.agents[0].picture)).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.width).toBe(256);
  });

  it('rotates per EXIF orientation and strips the metadata', async () => {
    // 300x200 stored, orientation 6 = shown rotated by 90°: cover-crop must see it upright
    const raw = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366cc' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const r = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'p', media: ['chat'], availability: 'always', picture: `data:image/jpeg;base64,${raw.toString('base64')}` }] }));
    expect(r.status).toBe(201);
    const meta = await sharp(bytesOf(r.body.agents[0].picture)).metadata();
    expect(meta.width).toBe(256);
    expect(meta.orientation ?? 1).toBe(1);
    expect(meta.exif).toBeUndefined();
  });

  it('a stored picture round-trips through PUT unchanged (no growth, no re-encoding)', async () => {
    const c = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'p', media: ['chat'], availability: 'always', picture: await png(400, 400) }] }));
    let w = c.body;
    for (let i = 0; i < 3; i++) {
      const { uuid, createdAt, updatedAt, ...body } = w;
      const r = await env.admin.put(`/api/widgets/${uuid}`, body);
      expect(r.status).toBe(200);
      expect(r.body.agents[0].picture).toBe(c.body.agents[0].picture);
      w = r.body;
    }
  });

  it('refuses SVG, wrong types, lying headers, corrupt data and pictures over 2 MiB', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>').toString('base64');
    const goodPng = bytesOf(await png(10, 10));
    const huge = Buffer.alloc(2 * 1024 * 1024 + 10, 1);
    goodPng.copy(huge);
    const bad = [
      `data:image/svg+xml;base64,${svg}`,
      `data:image/png;base64,${svg}`,
      `data:image/bmp;base64,${goodPng.toString('base64')}`,
      'https://example.com/me.png',
      `data:image/png;base64,${goodPng.subarray(0, 40).toString('base64')}`,
      'data:image/png;base64,!!!!',
      `data:image/png;base64,${huge.toString('base64')}`,
    ];
    for (const picture of bad) {
      const r = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'p', media: ['chat'], availability: 'always', picture }] }));
      expect(r.status, picture.slice(0, 40)).toBe(400);
      expect(r.body).toMatchObject({ error: 'validation-failed', field: 'agents[0].picture' });
    }
  });
});

describe('embed and preview', () => {
  it('gives the agreed embed lines, with the base derived from the request', async () => {
    const c = await env.admin.post('/api/widgets', widgetBody());
    const r = await env.admin.get(`/api/widgets/${c.body.uuid}/embed`);
    expect(r.status).toBe(200);
    const base = env.s.url;
    expect(r.body.html).toBe(`<script src="${base}/widget.js" async></script>\n<contact-widget uuid="${c.body.uuid}" server="${base}"></contact-widget>`);
    // X-Forwarded-* is ignored without TRUST_PROXY
    const f = await env.admin.get(`/api/widgets/${c.body.uuid}/embed`, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' });
    expect(f.body.html).toContain(`server="${base}"`);
    expect((await env.admin.get('/api/widgets/nope/embed')).status).toBe(404);
  });

  it('uses PUBLIC_URL, or X-Forwarded-* when TRUST_PROXY is on', async () => {
    const { startTestServer } = await import('@cw/testkit');
    const { login } = await import('./http-helpers.js');
    for (const [envVars, headers, base] of [
      [{ PUBLIC_URL: 'https://cw.example.com/' }, {}, 'https://cw.example.com'],
      [{ TRUST_PROXY: '1' }, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'proxy.example.com' }, 'https://proxy.example.com'],
    ] as const) {
      const s = await startTestServer({ env: envVars });
      try {
        const admin = await login(s.url, 'admin', s.adminPassword);
        const c = await admin.post('/api/widgets', widgetBody());
        const r = await admin.get(`/api/widgets/${c.body.uuid}/embed`, headers as Record<string, string>);
        expect(r.body.html).toBe(`<script src="${base}/widget.js" async></script>\n<contact-widget uuid="${c.body.uuid}" server="${base}"></contact-widget>`);
      } finally {
        await s.close();
      }
    }
  });

  it('preview.html is a download named after the widget, with the embed lines and an escaped title', async () => {
    const c = await env.admin.post('/api/widgets', widgetBody({ name: 'Sales & <Support> "Zürich"' }));
    const r = await env.admin.get(`/api/widgets/${c.body.uuid}/preview.html`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const cd = r.headers.get('content-disposition')!;
    expect(cd).toMatch(/^attachment; filename="sales-support-zurich\.html"; filename\*=UTF-8''/);
    expect(decodeURIComponent(cd.split("UTF-8''")[1]!)).toBe('Sales & Support Zürich.html');
    expect(r.text).toContain('<title>Sales &amp; &lt;Support&gt; &quot;Zürich&quot;</title>');
    expect(r.text).toContain(`<script src="${env.s.url}/widget.js" async></script>\n<contact-widget uuid="${c.body.uuid}" server="${env.s.url}"></contact-widget>`);
    expect(r.headers.get('content-security-policy') ?? '').not.toContain('frame-ancestors');
  });
});

describe('flags', () => {
  it('creates (201, value false), lists, sets with flag-changed, renames', async () => {
    const c = await env.admin.post('/api/flags', { name: 'Hotline open' });
    expect(c.status).toBe(201);
    expect(c.body).toEqual({ id: expect.any(String), name: 'Hotline open', value: false, scheduleId: null });
    expect((await env.admin.get('/api/flags')).body).toContainEqual(c.body);
    env.events.length = 0;
    const p = await env.admin.put(`/api/flags/${c.body.id}`, { value: true });
    expect(p.body).toEqual({ ...c.body, value: true });
    expect(env.events).toEqual([{ t: 'flag-changed', id: c.body.id, value: true }]);
    expect((await env.admin.put(`/api/flags/${c.body.id}`, { name: 'Renamed' })).body).toEqual({ id: c.body.id, name: 'Renamed', value: true, scheduleId: null });
    expect((await env.admin.put('/api/flags/none', { value: true })).status).toBe(404);
    const bad = await env.admin.put(`/api/flags/${c.body.id}`, { value: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('value');
  });

  it('DELETE is refused with 409 while a widget uses the flag', async () => {
    const f = await env.admin.post('/api/flags', { name: 'Used' });
    const w = await env.admin.post('/api/widgets', widgetBody({ name: 'Flagged', agents: [{ sipId: 'q', media: ['chat'], availability: 'boolean', flag: f.body.id }] }));
    const r = await env.admin.del(`/api/flags/${f.body.id}`);
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('conflict');
    expect(r.body.message).toContain('Flagged');
    await env.admin.del(`/api/widgets/${w.body.uuid}`);
    expect((await env.admin.del(`/api/flags/${f.body.id}`)).status).toBe(204);
    expect((await env.admin.del(`/api/flags/${f.body.id}`)).status).toBe(404);
  });
});

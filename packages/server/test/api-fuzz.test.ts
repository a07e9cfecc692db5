/**
 * Thousands of malformed, oversized and mistyped requests (seeded, so a
 * failure reproduces) against every write route. Afterwards the server must
 * be alive, every answer must have been a 4xx JSON {error, message}, and the
 * stored users, groups, widgets, flags, presence and tokens must be exactly as
 * before.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@cw/testkit';
import {
  FlagCreate,
  FlagPut,
  FlagRef,
  GroupCreate,
  GroupPatch,
  Login,
  Origin,
  Picture,
  PresencePut,
  TokenCreate,
  UserCreate,
  UserId,
  UserPatch,
  WidgetInput,
  type TSchema,
} from '@cw/protocol/api';
import { login } from './http-helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 3000);

/** mulberry32: small, deterministic. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}
type Rng = ReturnType<typeof rng>;

type Kind = 'str' | 'enum' | 'bool' | 'int' | 'arr' | 'obj' | 'picture' | 'flagref' | 'userref' | 'origin' | 'nullable-str';
interface Field {
  path: (string | number)[];
  kind: Kind;
  max?: number;
}

interface Target {
  method: string;
  url: string;
  /** a valid body; undefined for routes without one */
  base?: () => Record<string, unknown>;
  fields: Field[];
}

/** Shapes whose wrong values are of their own kind (beyond their JSON type). */
const special: [TSchema, Kind][] = [
  [Picture, 'picture'],
  [FlagRef, 'flagref'],
  [UserId, 'userref'],
  [Origin, 'origin'],
];
const json = (x: unknown) => JSON.stringify(x);

/**
 * The fuzz table of a body, from the same schema the route validates with:
 * every field down the tree (array items at index 0) with its kind and limit.
 */
function fieldsOf(schema: TSchema, path: (string | number)[] = []): Field[] {
  const node = schema as TSchema & { anyOf?: TSchema[] };
  const own = (kind: Kind, max?: number): Field[] => (path.length ? [{ path, kind, ...(max !== undefined ? { max } : {}) }] : []);
  const hit = special.find(([s]) => json(s) === json(node));
  if (hit) return own(hit[1]);
  if (node.anyOf) {
    const inner = node.anyOf.filter((x) => x.type !== 'null');
    if (inner.length === 1 && node.anyOf.length === 2) {
      const sub = fieldsOf(inner[0]!, path);
      return sub.length === 1 && sub[0]!.kind === 'str' ? [{ ...sub[0]!, kind: 'nullable-str' }] : sub;
    }
    return own('obj');
  }
  if (node.enum) return own('enum');
  switch (node.type) {
    case 'string':
      return own('str', node.maxLength);
    case 'boolean':
      return own('bool');
    case 'integer':
      return own('int');
    case 'array':
      return [...own('arr', node.maxItems), ...fieldsOf(node.items as TSchema, [...path, 0])];
    case 'object':
      return [...own('obj'), ...Object.entries(node.properties as Record<string, TSchema>).flatMap(([k, sub]) => fieldsOf(sub, [...path, k]))];
    default:
      throw new Error(`no fuzz kind for ${json(node).slice(0, 100)}`);
  }
}

/** A value of the wrong JSON type for `kind` (never null where null is allowed). */
function wrongType(r: Rng, kind: Kind): unknown {
  const byKind: Record<Kind, unknown[]> = {
    str: [42, true, [], {}, null, 1.5, ['a']],
    'nullable-str': [42, true, [], {}, 0],
    enum: [1, false, [], {}, null, 'NOPE', '', ' voice', 'VOICE', 'admin\u0000', '<script>'],
    bool: ['true', 1, 0, [], {}, null, 'false'],
    int: ['1', 1.5, true, [], {}, null, 1e300, -1e300, Number.MAX_SAFE_INTEGER * 4],
    arr: ['a', 1, {}, null, true, { 0: 'voice', length: 1 }],
    obj: ['a', 1, [], null, true],
    picture: [1, [], {}, null, 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=', 'data:text/html;base64,PGI+', 'http://x/y.png', 'data:image/png;base64,' + Buffer.from('\x89PNG\r\n\x1a\n garbage garbage').toString('base64'), 'data:image/jpeg;base64,/9j/' + 'A'.repeat(100), 'data:image/gif;base64,R0lGODlh', 'data:image/png;base64,%%%'],
    flagref: [1, true, [], {}, 'no-such-flag', 'x'.repeat(101)],
    userref: [1, null, true, {}, 'no-such-user', ''],
    origin: ['example.com', 'ftp://x.example', 'https://', 'https://a b.example', 1, null, 'https://x.example/path', 'javascript:alert(1)'],
  };
  return r.pick(byKind[kind]);
}

function setPath(obj: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let cur: any = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (cur[k] === undefined || cur[k] === null || typeof cur[k] !== 'object') cur[k] = typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[k];
  }
  cur[path[path.length - 1]!] = value;
}

function bigString(r: Rng, max: number): string {
  const unit = r.pick(['a', 'é', '😀', ' ', '<', '\u200b']);
  return unit.repeat(max + 1 + r.int(50));
}

/** A JSON text that is NOT a JSON object (or not JSON at all). */
function garbageText(r: Rng, base: string): string {
  const choices = [
    () => base.slice(0, r.int(Math.max(1, base.length - 1))),
    () => base.replace(/[{}]/, ''),
    () => base + r.pick([',', '}', ']', 'x', '{']),
    () => '[' + base + ']',
    () => r.pick(['null', 'true', '0', '-1', '"str"', '[]', '1e999', 'NaN', 'undefined', "{'a':1}", '{a:1}', '\u0000', '\ufeff{}x']),
    () => Buffer.from(Array.from({ length: 1 + r.int(200) }, () => r.int(256))).toString('latin1'),
    () => '['.repeat(2000 + r.int(8000)) + ']'.repeat(10),
    () => '{"a":'.repeat(3000) + '1' + '}'.repeat(3000),
    () => '{"__proto__":{"admin":true},' + base.slice(1),
    () => '{"constructor":{"prototype":{"admin":true}},' + base.slice(1),
  ];
  for (let i = 0; i < 10; i++) {
    const t = r.pick(choices)();
    // An empty body is "no body", which is valid for POST /api/logout.
    if (t.trim() === '') continue;
    try {
      const v = JSON.parse(t);
      // A parsable object could be a valid body; keep only texts that are not objects.
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) continue;
    } catch {
      /* not JSON: good */
    }
    return t;
  }
  return '{"unterminated":';
}

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  what: string;
}

/** The target's URL, sometimes with a broken last segment (bad %-escapes, control bytes, huge). */
function urlOf(r: Rng, t: Target): string {
  if (r.int(20) !== 0 || t.url.split('/').length < 4) return t.url;
  const seg = r.pick(['%zz', '%', '%00', '%2e%2e%2f%2e%2e', 'x'.repeat(3000 + r.int(3000)), '%E0%A4%A', '..', '%ff%fe', '\u0000']);
  return t.url.replace(/[^/]+$/, seg);
}

function generate(r: Rng, t0: Target): Sent {
  const t = { ...t0, url: urlOf(r, t0) };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const base = t.base?.();
  const baseText = JSON.stringify(base ?? { x: 1 });
  const mode = r.int(100);
  if (!base || mode < 20) {
    return { method: t.method, url: t.url, headers, payload: garbageText(r, baseText), what: 'garbage-json' };
  }
  if (mode < 27) {
    const ct = r.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'image/png', 'application/jsonx', 'text/json']);
    return { method: t.method, url: t.url, headers: { 'content-type': ct }, payload: baseText, what: `content-type ${ct}` };
  }
  if (mode < 29 && r.int(10) === 0) {
    return { method: t.method, url: t.url, headers, payload: Buffer.alloc(4 * 1024 * 1024 + 1 + r.int(1000), 0x20), what: 'oversized' };
  }
  if (mode < 35) {
    return { method: t.method, url: t.url, headers, payload: JSON.stringify(r.pick([[base], 1, 'x', null, true, []])), what: 'non-object root' };
  }
  // a body with one or more invalid fields (at least one always invalid)
  const body = base as Record<string, unknown>;
  const n = 1 + r.int(3);
  const what: string[] = [];
  for (let i = 0; i < n; i++) {
    const fld = r.pick(t.fields);
    const sub = r.int(3);
    let v: unknown;
    if (sub === 0 && fld.max !== undefined) v = bigString(r, fld.max);
    else if (sub === 1 && fld.kind === 'arr' && fld.max !== undefined) v = Array.from({ length: fld.max + 1 }, () => 'voice');
    else v = wrongType(r, fld.kind);
    if (fld.kind === 'str' && fld.max === undefined && typeof v === 'string') v = 1;
    setPath(body, fld.path, v);
    what.push(`${fld.path.join('.')}=${JSON.stringify(v)?.slice(0, 40)}`);
  }
  if (r.int(4) === 0) body[r.pick(['__proto__x', 'extra', 'uuid', 'id', 'passwordHash'])] = 'ignored';
  return { method: t.method, url: t.url, headers, payload: JSON.stringify(body), what: what.join(' ') };
}

let s: TestServer;
let targets: Target[];
let token: string;

async function snapshot() {
  const st = s.storage;
  const admin = (await st.users.getByUsername('admin'))!;
  return {
    users: await st.users.list(),
    groups: await st.groups.list(),
    widgets: await st.widgets.list(),
    flags: await st.flags.list(),
    presence: await st.presence.list(),
    tokens: await st.apiTokens.listForUser(admin.id),
  };
}

beforeAll(async () => {
  s = await startTestServer();
  const admin = await login(s.url, 'admin', s.adminPassword);
  token = (await admin.post('/api/tokens', { name: 'fuzz' })).body.token;
  const agent = (await admin.post('/api/users', { username: 'fuzzagent', password: 'fuzz-password', roles: ['agent'] })).body;
  const group = (await admin.post('/api/groups', { name: 'G', sipId: 'fuzzgroup', members: [agent.id] })).body;
  const flag = (await admin.post('/api/flags', { name: 'F' })).body;
  const widget = (await admin.post('/api/widgets', { type: 'sidebar', name: 'W', agents: [{ sipId: 'fuzzagent', media: ['chat'], availability: 'boolean', flag: flag.id }] })).body;

  const widgetBase = () => ({ type: 'cards', name: 'Fuzzed', agents: [{ sipId: 'x', media: ['voice'], availability: 'boolean', flag: flag.id }] });
  const widgetFields = fieldsOf(WidgetInput);
  const userFields = fieldsOf(UserCreate);
  const patchFields = fieldsOf(UserPatch);
  const groupFields = fieldsOf(GroupCreate);
  // The tables come from the schemas: make sure the walk reached the fields that matter.
  expect(widgetFields.map((x) => x.path.join('.'))).toEqual(expect.arrayContaining(['agents.0.media.0', 'agents.0.picture', 'agents.0.flag', 'allowedOrigins.0', 'appearance.margin.top']));
  expect(widgetFields.find((x) => x.path.join('.') === 'agents.0.picture')?.kind).toBe('picture');
  expect(groupFields.find((x) => x.path.join('.') === 'members.0')?.kind).toBe('userref');
  targets = [
    { method: 'POST', url: '/api/login', base: () => ({ username: 'admin', password: 'not-the-password' }), fields: fieldsOf(Login) },
    { method: 'POST', url: '/api/logout', fields: [] },
    { method: 'POST', url: '/api/tokens', base: () => ({ name: 'tok' }), fields: fieldsOf(TokenCreate) },
    { method: 'POST', url: '/api/users', base: () => ({ username: 'newuser', password: 'new-password', roles: ['agent'] }), fields: userFields },
    { method: 'PATCH', url: `/api/users/${agent.id}`, base: () => ({ displayName: 'Changed' }), fields: patchFields },
    { method: 'PATCH', url: '/api/users/unknown-id', base: () => ({ displayName: 'Changed' }), fields: patchFields },
    { method: 'DELETE', url: '/api/users/unknown-id', fields: [] },
    { method: 'POST', url: '/api/groups', base: () => ({ name: 'New', sipId: 'newgroup', members: [agent.id] }), fields: groupFields },
    { method: 'PATCH', url: `/api/groups/${group.id}`, base: () => ({ name: 'Changed' }), fields: fieldsOf(GroupPatch) },
    { method: 'DELETE', url: '/api/groups/unknown-id', fields: [] },
    { method: 'POST', url: '/api/widgets', base: widgetBase, fields: widgetFields },
    { method: 'PUT', url: `/api/widgets/${widget.uuid}`, base: widgetBase, fields: widgetFields },
    { method: 'PUT', url: '/api/widgets/unknown-uuid', base: widgetBase, fields: widgetFields },
    { method: 'DELETE', url: '/api/widgets/unknown-uuid', fields: [] },
    { method: 'POST', url: '/api/flags', base: () => ({ name: 'New', value: true }), fields: fieldsOf(FlagCreate) },
    { method: 'PUT', url: `/api/flags/${flag.id}`, base: () => ({ value: true, name: 'Changed' }), fields: fieldsOf(FlagPut) },
    { method: 'DELETE', url: '/api/flags/unknown-id', fields: [] },
    { method: 'DELETE', url: '/api/tokens/unknown-id', fields: [] },
    { method: 'PUT', url: '/api/presence/fuzzagent', base: () => ({ presence: 'online' }), fields: fieldsOf(PresencePut) },
    { method: 'PUT', url: '/api/presence/nobody', base: () => ({ presence: 'online' }), fields: fieldsOf(PresencePut) },
  ];
}, 60_000);

afterAll(async () => {
  await s?.close();
});

it(`survives ${ROUNDS} malformed requests with only 4xx JSON answers and no change to stored data`, async () => {
  const before = await snapshot();
  const r = rng(SEED);
  const bad: string[] = [];
  const statuses = new Map<number, number>();
  for (let i = 0; i < ROUNDS; i++) {
    const t = targets[i % targets.length]!;
    const req = generate(r, t);
    const res = await s.app.inject({ method: req.method as 'POST', url: req.url, headers: { ...req.headers, authorization: `Bearer ${token}` }, payload: req.payload });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    let body: any;
    try {
      body = res.json();
    } catch {
      body = undefined;
    }
    const okShape = res.statusCode >= 400 && res.statusCode < 500 && /^application\/json/.test(String(res.headers['content-type'])) && typeof body?.error === 'string' && typeof body?.message === 'string';
    if (!okShape) bad.push(`#${i} ${req.method} ${req.url} [${req.what}] → ${res.statusCode} ${res.body.slice(0, 200)}`);
  }
  const health = await fetch(`${s.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ ok: true });
  expect(bad, `seed ${SEED}; statuses ${JSON.stringify([...statuses])}\n${bad.slice(0, 15).join('\n')}`).toEqual([]);
  expect(await snapshot()).toEqual(before);
  // the server still works normally
  const admin = await login(s.url, 'admin', s.adminPassword);
  expect((await admin.post('/api/flags', { name: 'after fuzz' })).status).toBe(201);
}, 240_000);

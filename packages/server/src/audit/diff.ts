/**
 * The field-level diff of an audit entry: every leaf that differs between
 * the object before and after, as `path → {from, to}` (`agents[1].media`,
 * `appearance.colors.primary`). Arrays of plain values are one field; arrays
 * of objects are compared by index. Secrets never appear: a field whose name
 * says it is one (password, secret, token, hash) reads "***", and pictures
 * (data: URLs) are summarised by type, size and a short hash, so that the
 * trail stays small and shows that a picture changed.
 */
import crypto from 'node:crypto';

export type Diff = Record<string, { from?: unknown; to?: unknown }>;

export const MASK = '***';
const SECRET_KEY = /(password|secret|token|hash)$/i;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value as the trail shows it. */
function shown(v: unknown): unknown {
  if (typeof v === 'string' && v.startsWith('data:')) {
    const type = v.slice(5, v.indexOf(';') > 0 ? v.indexOf(';') : 40);
    const bytes = Math.floor(((v.length - v.indexOf(',') - 1) * 3) / 4);
    return `${type} picture, ${Math.round(bytes / 1024)} KiB, sha256 ${crypto.createHash('sha256').update(v).digest('hex').slice(0, 12)}`;
  }
  return v;
}

/** A leaf: what the trail shows, and what is compared (a secret is compared by a hash, shown masked). */
interface Leaf {
  shown: unknown;
  key: string;
}

function flatten(v: unknown, path: string, out: Map<string, Leaf>): void {
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0 && path) out.set(path, { shown: {}, key: '{}' });
    for (const k of keys) {
      const p = path ? `${path}.${k}` : k;
      if (SECRET_KEY.test(k)) {
        const empty = v[k] === undefined || v[k] === null || v[k] === '';
        out.set(p, { shown: empty ? v[k] : MASK, key: empty ? String(v[k]) : crypto.createHash('sha256').update(JSON.stringify(v[k])).digest('hex') });
      } else flatten(v[k], p, out);
    }
  } else if (Array.isArray(v) && v.some((x) => isPlainObject(x) || Array.isArray(x))) {
    if (v.length === 0) out.set(path, { shown: [], key: '[]' });
    v.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
  } else out.set(path, { shown: shown(v), key: JSON.stringify(v) ?? 'undefined' });
}

/** The fields that differ between `before` and `after` (undefined: did not exist / no longer exists). */
export function auditDiff(before: unknown, after: unknown): Diff {
  const a = new Map<string, Leaf>();
  const b = new Map<string, Leaf>();
  if (before !== undefined) flatten(before, '', a);
  if (after !== undefined) flatten(after, '', b);
  const diff: Diff = {};
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const from = a.get(key);
    const to = b.get(key);
    if (from?.key === to?.key) continue;
    const entry: { from?: unknown; to?: unknown } = {};
    if (from) entry.from = from.shown;
    if (to) entry.to = to.shown;
    diff[key || 'value'] = entry;
  }
  return diff;
}

/**
 * Secret fields of a request body that the stored object does not show (a
 * new password): they are recorded as changed, masked.
 */
export function secretFieldsOf(body: unknown): Diff {
  const out: Diff = {};
  if (!isPlainObject(body)) return out;
  for (const [k, v] of Object.entries(body)) if (SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '') out[k] = { from: MASK, to: MASK };
  return out;
}

/**
 * A tiny runtime schema language: small enough to ship in the widget, strict
 * enough to validate every inbound frame on the server. A schema checks a value
 * and returns either the typed value or a human-readable reason.
 */

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** A validator for values of type T. */
export interface Schema<T> {
  /** Checks `v` at `path` (for messages). */
  check(v: unknown, path: string): Result<T>;
  /** Marks the schema optional inside an object. */
  readonly optional?: boolean;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = (error: string): Result<never> => ({ ok: false, error });

/** Counts Unicode code points (what the protocol's length limits mean). */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

export interface StrOpts {
  min?: number;
  max?: number;
  /** Reject strings that are only white space. */
  notBlank?: boolean;
  pattern?: RegExp;
  patternText?: string;
}

/** A string, with code-point length bounds. */
export function str(o: StrOpts = {}): Schema<string> {
  return {
    check(v, path) {
      if (typeof v !== 'string') return fail(`${path} must be a string`);
      if (o.min !== undefined || o.max !== undefined) {
        const n = codePoints(v);
        if (o.min !== undefined && n < o.min)
          return fail(o.min === 1 ? `${path} must not be empty` : `${path} must be at least ${o.min} characters`);
        if (o.max !== undefined && n > o.max) return fail(`${path} must be at most ${o.max} characters`);
      }
      if (o.notBlank && v.trim() === '') return fail(`${path} must not be only white space`);
      if (o.pattern && !o.pattern.test(v)) return fail(`${path} ${o.patternText ?? 'has an invalid format'}`);
      return ok(v);
    },
  };
}

export function bool(): Schema<boolean> {
  return { check: (v, path) => (typeof v === 'boolean' ? ok(v) : fail(`${path} must be true or false`)) };
}

export function int(min = -Infinity, max = Infinity): Schema<number> {
  return {
    check(v, path) {
      if (typeof v !== 'number' || !Number.isInteger(v)) return fail(`${path} must be an integer`);
      if (v < min || v > max) return fail(`${path} must be between ${min} and ${max}`);
      return ok(v);
    },
  };
}

export function literal<const T extends string>(...values: T[]): Schema<T> {
  return {
    check(v, path) {
      return typeof v === 'string' && (values as string[]).includes(v)
        ? ok(v as T)
        : fail(`${path} must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
    },
  };
}

export function arr<T>(item: Schema<T>, o: { max?: number; unique?: boolean } = {}): Schema<T[]> {
  return {
    check(v, path) {
      if (!Array.isArray(v)) return fail(`${path} must be an array`);
      if (o.max !== undefined && v.length > o.max) return fail(`${path} must have at most ${o.max} entries`);
      const out: T[] = [];
      for (let i = 0; i < v.length; i++) {
        const r = item.check(v[i], `${path}[${i}]`);
        if (!r.ok) return r;
        out.push(r.value);
      }
      if (o.unique && new Set(out.map((x) => JSON.stringify(x))).size !== out.length)
        return fail(`${path} must not contain duplicates`);
      return ok(out);
    },
  };
}

export function nullable<T>(s: Schema<T>): Schema<T | null> {
  return { check: (v, path) => (v === null ? ok(null) : s.check(v, path)) };
}

/** Marks a field optional: absent (or undefined) is accepted. */
export function opt<T>(s: Schema<T>): Schema<T | undefined> {
  return { optional: true, check: (v, path) => (v === undefined ? ok(undefined) : s.check(v, path)) };
}

type Shape = Record<string, Schema<unknown>>;
type OptKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : undefined extends Infer<S[K]> ? K : never }[keyof S];
type ReqKeys<S extends Shape> = Exclude<keyof S, OptKeys<S>>;
export type ObjOf<S extends Shape> = { [K in ReqKeys<S>]: Infer<S[K]> } & { [K in OptKeys<S>]?: Infer<S[K]> };

/** A plain object; unknown fields are dropped (the protocol ignores them). */
export function obj<S extends Shape>(shape: S): Schema<ObjOf<S>> {
  const keys = Object.keys(shape);
  return {
    check(v, path) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(`${path} must be an object`);
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        const s = shape[k]!;
        const val = (v as Record<string, unknown>)[k];
        if (val === undefined && !s.optional) return fail(`${path ? path + '.' : ''}${k} is required`);
        const r = s.check(val, path ? `${path}.${k}` : k);
        if (!r.ok) return r;
        if (r.value !== undefined) out[k] = r.value;
      }
      return ok(out as ObjOf<S>);
    },
  };
}

/** Any value that is a plain object (kept as is). */
export function record(): Schema<Record<string, unknown>> {
  return {
    check: (v, path) =>
      typeof v === 'object' && v !== null && !Array.isArray(v) ? ok(v as Record<string, unknown>) : fail(`${path} must be an object`),
  };
}

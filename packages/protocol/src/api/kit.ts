/**
 * How the HTTP API's shapes are written (docs/adr/0004-api-schemas.md): each
 * is one TypeBox schema — plain JSON Schema at run time — that yields the
 * TypeScript type (`Static`), the runtime check (`validate` below), the
 * Fastify route schema and the OpenAPI document.
 *
 * `validate` is ours rather than a generic JSON Schema validator because the
 * API's answers are part of the contract: lengths count Unicode code points
 * (as JSON Schema means, and as the protocol's limits say), unknown fields
 * are dropped, and a failure names the field (`agents[0].media[1]`) with the
 * same sentences as the wire's schema language. `errorMessage` (the keyword
 * of ajv-errors: a string, or one per keyword) words a failure where the
 * plain sentence would not help, e.g. a pattern.
 */
import {
  Array as TArray,
  Boolean as TBoolean,
  Integer,
  Literal,
  Null,
  Object as TObject,
  Optional,
  String as TString,
  Union,
  Unsafe,
  type SchemaOptions,
  type Static,
  type StringOptions,
  type TSchema,
} from '@sinclair/typebox';
import { codePoints } from '../schema.js';
import { EMAIL_PATTERN } from '../model.js';

export type { Static, TSchema };

/**
 * The TypeBox builders the API uses, imported one by one: TypeBox's own
 * `Type` object would pull every builder into the admin app (about 11 KB
 * gzipped more than these).
 */
export const Type = { Array: TArray, Boolean: TBoolean, Integer, Literal, Null, Object: TObject, Optional, String: TString, Union, Unsafe };

/** One of a fixed list of strings (JSON Schema `enum`). */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}) {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/** `schema` or null. */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}) {
  return Type.Union([schema, Type.Null()], options);
}

/** A string with at least one character that is not white space. */
export function NotBlank(options: StringOptions = {}) {
  return Type.String({ ...options, pattern: '\\S', errorMessage: { pattern: 'must not be only white space' } });
}

/** An `email` field: an address or empty. */
export function Email(options: StringOptions = {}) {
  return Matching(EMAIL_PATTERN, 'must be an e-mail address such as name@example.com (no spaces, no "?"), or empty', { maxLength: 254, ...options });
}

/** A string that must match `pattern`; `explain` finishes "<field> …" when it does not. */
export function Matching(pattern: string, explain: string, options: StringOptions = {}) {
  return Type.String({ ...options, pattern, errorMessage: { pattern: explain } });
}

/** The outcome of `validate`: the cleaned value, or the failing field and a sentence that starts with it. */
export type Checked<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

export interface ValidateOptions {
  /** how the whole value is named when it is what failed (default "body") */
  root?: string;
  /** query strings: numeric and boolean text becomes a number or boolean; "" counts as absent */
  coerce?: boolean;
}

/** Checks `value` against `schema`: unknown object fields are dropped, absent ones with a `default` get it. */
export function validate<S extends TSchema>(schema: S, value: unknown, options: ValidateOptions = {}): Checked<Static<S>> {
  const r = check(schema as Node, value, '', options.coerce === true);
  if ('value' in r) return { ok: true, value: r.value as Static<S> };
  return { ok: false, field: r.path, message: `${r.path || (options.root ?? 'body')} ${r.reason}` };
}

// ------------------------------------------------------------- internals

/** The JSON Schema keywords the API's shapes use. */
interface Node {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Node[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  items?: Node;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, Node>;
  required?: string[];
  default?: unknown;
  errorMessage?: string | Record<string, string>;
}

type Outcome = { value: unknown } | { path: string; reason: string };

const patterns = new Map<string, RegExp>();
function regex(p: string): RegExp {
  let r = patterns.get(p);
  if (!r) patterns.set(p, (r = new RegExp(p)));
  return r;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function check(s: Node, v: unknown, path: string, coerce: boolean): Outcome {
  const fail = (keyword: string, reason: string): Outcome => {
    const custom = typeof s.errorMessage === 'string' ? s.errorMessage : s.errorMessage?.[keyword];
    return { path, reason: custom ?? reason };
  };
  if (s.anyOf) {
    if (v === null && s.anyOf.some((x) => x.type === 'null')) return { value: null };
    let first: Outcome | undefined;
    for (const option of s.anyOf) {
      if (option.type === 'null') continue;
      const r = check(option, v, path, coerce);
      if ('value' in r) return r;
      first ??= r;
    }
    return first ?? fail('type', 'must be null');
  }
  if (s.enum) {
    return typeof v === 'string' && s.enum.includes(v) ? { value: v } : fail('enum', `must be one of ${s.enum.map((x) => JSON.stringify(x)).join(', ')}`);
  }
  if ('const' in s) return v === s.const ? { value: v } : fail('const', `must be ${JSON.stringify(s.const)}`);
  switch (s.type) {
    case 'string': {
      if (typeof v !== 'string') return fail('type', 'must be a string');
      if (s.minLength !== undefined || s.maxLength !== undefined) {
        const n = codePoints(v);
        if (s.minLength !== undefined && n < s.minLength) return fail('minLength', s.minLength === 1 ? 'must not be empty' : `must be at least ${s.minLength} characters`);
        if (s.maxLength !== undefined && n > s.maxLength) return fail('maxLength', `must be at most ${s.maxLength} characters`);
      }
      if (s.pattern !== undefined && !regex(s.pattern).test(v)) return fail('pattern', 'has an invalid format');
      return { value: v };
    }
    case 'boolean':
      if (coerce && (v === 'true' || v === 'false')) return { value: v === 'true' };
      return typeof v === 'boolean' ? { value: v } : fail('type', 'must be true or false');
    case 'integer':
    case 'number': {
      const n = coerce && typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n) || (s.type === 'integer' && !Number.isInteger(n))) return fail('type', s.type === 'integer' ? 'must be an integer' : 'must be a number');
      if ((s.minimum !== undefined && n < s.minimum) || (s.maximum !== undefined && n > s.maximum))
        return fail(s.minimum !== undefined && n < s.minimum ? 'minimum' : 'maximum', `must be between ${s.minimum ?? -Infinity} and ${s.maximum ?? Infinity}`);
      return { value: n };
    }
    case 'null':
      return v === null ? { value: null } : fail('type', 'must be null');
    case 'array': {
      if (!Array.isArray(v)) return fail('type', 'must be an array');
      if (s.minItems !== undefined && v.length < s.minItems) return fail('minItems', `must have at least ${s.minItems} entries`);
      if (s.maxItems !== undefined && v.length > s.maxItems) return fail('maxItems', `must have at most ${s.maxItems} entries`);
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        const r = s.items ? check(s.items, v[i], `${path}[${i}]`, coerce) : { value: v[i] };
        if (!('value' in r)) return r;
        out.push(r.value);
      }
      if (s.uniqueItems && new Set(out.map((x) => JSON.stringify(x))).size !== out.length) return fail('uniqueItems', 'must not contain duplicates');
      return { value: out };
    }
    case 'object': {
      if (!isObject(v)) return fail('type', 'must be an object');
      if (!s.properties) return { value: v };
      const out: Record<string, unknown> = {};
      const required = s.required ?? [];
      for (const [k, child] of Object.entries(s.properties)) {
        const at = path ? `${path}.${k}` : k;
        let val = v[k];
        if (coerce && val === '' && child.type !== 'string') val = undefined;
        // A copy, so that a handler changing it cannot change the schema.
        if (val === undefined && child.default !== undefined) val = typeof child.default === 'object' ? JSON.parse(JSON.stringify(child.default)) : child.default;
        if (val === undefined) {
          if (required.includes(k)) return { path: at, reason: 'is required' };
          continue;
        }
        const r = check(child, val, at, coerce);
        if (!('value' in r)) return r;
        if (r.value !== undefined) out[k] = r.value;
      }
      return { value: out };
    }
    default:
      return { value: v };
  }
}

/**
 * Every API route is declared through `defineRoute`: one description that
 * registers it with Fastify (access check, and body / params / querystring
 * schemas that Fastify validates before the handler runs), types the handler's
 * request from those schemas, and is recorded for /api/openapi.json — one
 * table, so the document cannot drift from the routes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { ApiError as ApiErrorRef, validate, type Static, type TSchema } from '@cw/protocol/api';
import type { AppContext } from '../app-deps.js';
import { requireRole, type Access } from './guard.js';
import { HttpError } from './errors.js';
import { auditHooks, type AuditSpec } from './audit.js';

export type JsonSchema = Record<string, unknown>;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Maybe = TSchema | undefined;

export interface RouteDoc<B extends Maybe = Maybe, P extends Maybe = Maybe, Q extends Maybe = Maybe> {
  method: Method;
  /** Fastify URL, e.g. /api/widgets/:uuid */
  url: string;
  tag: string;
  summary: string;
  access: Access;
  /** the JSON body (a TypeBox schema from @cw/protocol/api) */
  body?: B;
  /** the path parameters, one property per `:name` of the URL */
  params?: P;
  /** the query string's parameters */
  query?: Q;
  /** status → description and optional schema; content type defaults to JSON */
  responses: Record<number, { description: string; schema?: TSchema | JsonSchema; contentType?: string }>;
  /** a larger body limit than the app's (bytes); the access check then runs before the body is read */
  bodyLimit?: number;
  /** record every successful call in the audit trail (see http/audit.ts) */
  audit?: AuditSpec;
}

/** Collects RouteDocs; turned into OpenAPI by openapi.ts. */
export class RouteTable {
  readonly routes: RouteDoc[] = [];
  /** every method+url registered on the app after the HTTP plugins (any owner), for the completeness test */
  readonly seen: { method: string; url: string }[] = [];
}

export interface HttpCtx {
  deps: AppContext;
  table: RouteTable;
}

type Valid<S extends Maybe, Else> = S extends TSchema ? Static<S> : Else;

/** The request a handler gets: body, params and query already checked and typed by the route's schemas. */
export type RouteRequest<B extends Maybe, P extends Maybe, Q extends Maybe> = FastifyRequest<{
  Body: Valid<B, unknown>;
  Params: Valid<P, Record<string, never>>;
  Querystring: Valid<Q, Record<string, never>>;
}>;

/** Registers a route with its access check and schemas, and records its documentation. */
export function defineRoute<B extends Maybe = undefined, P extends Maybe = undefined, Q extends Maybe = undefined>(
  app: FastifyInstance,
  ctx: HttpCtx,
  doc: RouteDoc<B, P, Q>,
  handler: (req: RouteRequest<B, P, Q>, reply: FastifyReply) => Promise<unknown>,
): void {
  ctx.table.routes.push(doc);
  const guard = doc.access === 'public' ? undefined : requireRole(doc.access, ctx.deps.storage, ctx.deps.clock);
  const schema: Record<string, TSchema> = {};
  if (doc.body) schema.body = doc.body;
  if (doc.params) schema.params = doc.params;
  if (doc.query) schema.querystring = doc.query;
  app.route({
    method: doc.method,
    url: doc.url,
    schema,
    // Who may call comes before what they sent: the access check runs before validation. With a raised
    // body limit, strangers must not get us to buffer the body either: then it runs on the headers alone.
    ...(doc.bodyLimit ? { bodyLimit: doc.bodyLimit, onRequest: guard } : { preValidation: guard }),
    ...(doc.audit ? auditHooks(ctx.deps, doc.audit) : {}),
    handler: handler as (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  });
}

/**
 * Fastify's validator for the route schemas: the protocol's `validate` (code
 * point lengths, unknown fields dropped, the same sentences everywhere). A
 * failure is a 400 validation-failed naming the field; the cleaned value
 * replaces what was sent.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const part = httpPart === 'querystring' ? 'query' : httpPart === 'params' ? 'params' : 'body';
  return (data: unknown) => {
    // Fastify passes null for a missing body.
    if (part === 'body' && (data === undefined || data === null)) return { error: new HttpError('validation-failed', 'The request needs a JSON object body.', '') };
    const r = validate(schema, data, { root: part, coerce: part !== 'body' });
    return r.ok ? { value: r.value } : { error: new HttpError('validation-failed', r.message, r.field) };
  };
};

/** Shorthand for an array of `schema`. */
export const arrayOf = (schema: TSchema): JsonSchema => ({ type: 'array', items: schema });

/** The error answers most routes share. */
export function errs(...codes: number[]): RouteDoc['responses'] {
  const text: Record<number, string> = {
    400: 'Invalid body or parameters (see `field`)',
    401: 'Not signed in',
    403: 'Role does not allow this, or a cross-site request',
    404: 'No such object',
    409: 'Conflicts with existing data (see `field`)',
    413: 'Body too large',
    415: 'Body is not JSON',
    429: 'Too many attempts',
    503: 'Storage unreachable',
  };
  const out: RouteDoc['responses'] = {};
  for (const c of codes) out[c] = { description: text[c] ?? 'Error', schema: ApiErrorRef };
  return out;
}

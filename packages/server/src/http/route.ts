/**
 * Every API route is declared through `defineRoute`, which registers it with
 * Fastify AND records its description for /api/openapi.json — one table, so
 * the document cannot drift from the routes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-deps.js';
import { requireRole, type Access } from './guard.js';

export type JsonSchema = Record<string, unknown>;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDoc {
  method: Method;
  /** Fastify URL, e.g. /api/widgets/:uuid */
  url: string;
  tag: string;
  summary: string;
  access: Access;
  /** request body schema (JSON Schema or {$ref}) */
  body?: JsonSchema;
  query?: Record<string, { schema: JsonSchema; description: string }>;
  /** status → description and optional schema; content type defaults to JSON */
  responses: Record<number, { description: string; schema?: JsonSchema; contentType?: string }>;
  /** a larger body limit than the app's (bytes); the access check then runs before the body is read */
  bodyLimit?: number;
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

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Registers a route with its access check and records its documentation. */
export function defineRoute(app: FastifyInstance, ctx: HttpCtx, doc: RouteDoc, handler: Handler): void {
  ctx.table.routes.push(doc);
  const guard = doc.access === 'public' ? undefined : requireRole(doc.access, ctx.deps.storage, ctx.deps.clock);
  app.route({
    method: doc.method,
    url: doc.url,
    // With a raised body limit, strangers must not get us to buffer it: check access on the headers alone.
    ...(doc.bodyLimit ? { bodyLimit: doc.bodyLimit, onRequest: guard } : { preHandler: guard }),
    handler,
  });
}

/** Shorthand for a `$ref` into components/schemas. */
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
/** Shorthand for an array of a component. */
export const arrayOf = (name: string): JsonSchema => ({ type: 'array', items: ref(name) });

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
  for (const c of codes) out[c] = { description: text[c] ?? 'Error', schema: ref('Error') };
  return out;
}

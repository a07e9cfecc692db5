/**
 * GET /api/openapi.json — generated from the route table, whose schemas are
 * the ones Fastify validates with (@cw/protocol/api): every route is
 * described, and by the shapes that are really checked.
 */
import type { FastifyInstance } from 'fastify';
import { apiComponents, type TSchema } from '@cw/protocol/api';
import { defineRoute, type HttpCtx, type JsonSchema, type RouteTable } from './route.js';

/** JSON text of each named component → its name, to replace inline copies with a $ref. */
const componentByJson = new Map(Object.entries(apiComponents).map(([name, schema]) => [JSON.stringify(schema), name]));

/** A schema for the document: plain JSON, and a named component as a `$ref` (below the top when `own` names it). */
function docSchema(schema: TSchema | JsonSchema, own?: string): JsonSchema {
  const name = componentByJson.get(JSON.stringify(schema));
  if (name && name !== own) return { $ref: `#/components/schemas/${name}` };
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' && v && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, docSchema(s as JsonSchema)]));
    else if ((k === 'items' || k === 'not') && v && typeof v === 'object' && !Array.isArray(v)) out[k] = docSchema(v as JsonSchema);
    else if ((k === 'anyOf' || k === 'allOf' || k === 'oneOf') && Array.isArray(v)) out[k] = v.map((s) => docSchema(s as JsonSchema));
    else out[k] = v;
  }
  return out;
}

/** The `in: path|query` parameters of an object schema. */
function parameters(where: 'path' | 'query', schema: TSchema | undefined): JsonSchema[] {
  if (!schema?.properties) return [];
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  return Object.entries(schema.properties as Record<string, JsonSchema>).map(([name, s]) => {
    const { description, ...rest } = s;
    const p: JsonSchema = { name, in: where, required: where === 'path' || (required.has(name) && rest.default === undefined), schema: docSchema(rest) };
    if (description) p.description = description;
    return p;
  });
}

/** Builds the OpenAPI 3.1 document from the routes registered so far. */
export function buildOpenApi(table: RouteTable): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of table.routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const named = new Set(Object.keys((r.params?.properties as object | undefined) ?? {}));
    // Every :name of the URL is a parameter, described by the route's params schema where it has one.
    const undescribed = [...r.url.matchAll(/:([A-Za-z0-9_]+)/g)].filter((m) => !named.has(m[1]!)).map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const params = [...parameters('path', r.params), ...undescribed, ...parameters('query', r.query)];
    const responses: Record<string, unknown> = {};
    for (const [code, res] of Object.entries(r.responses))
      responses[code] = res.schema ? { description: res.description, content: { [res.contentType ?? 'application/json']: { schema: docSchema(res.schema) } } } : { description: res.description };
    const op: Record<string, unknown> = {
      tags: [r.tag],
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      responses,
      security: r.access === 'public' ? [] : [{ cookieAuth: [] }, { bearerAuth: [] }],
    };
    if (r.access === 'admin') op['x-required-role'] = 'admin';
    if (params.length) op.parameters = params;
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: docSchema(r.body) } } };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Contact Widgets API',
      version: '1.0.0',
      description:
        'JSON under /api. Errors are {"error","message"} (plus "field" for invalid bodies) with a 4xx status. ' +
        'Writes signed in by cookie must be JSON or carry a same-origin Origin header.',
    },
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(apiComponents).map(([name, schema]) => [name, docSchema(schema, name)])),
      securitySchemes: {
        cookieAuth: { type: 'apiKey', in: 'cookie', name: 'cw_session', description: 'set by POST /api/login' },
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'a token from POST /api/tokens' },
      },
    },
  };
}

/** Registers the document route (it describes itself too). */
export async function openapiRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  let doc: JsonSchema | undefined;
  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/openapi.json', tag: 'meta', summary: 'This document', access: 'public', responses: { 200: { description: 'OpenAPI 3.1', schema: { type: 'object' } } } },
    async () => (doc ??= buildOpenApi(ctx.table)),
  );
}

/** GET /api/openapi.json — generated from the route table, so every route is described. */
import type { FastifyInstance } from 'fastify';
import { components } from './openapi-schemas.js';
import { defineRoute, type HttpCtx, type JsonSchema, type RouteTable } from './route.js';

/** Builds the OpenAPI 3.1 document from the routes registered so far. */
export function buildOpenApi(table: RouteTable): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of table.routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const params = [...r.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = Object.entries(r.query ?? {}).map(([name, q]) => ({ name, in: 'query', required: false, schema: q.schema, description: q.description }));
    const responses: Record<string, unknown> = {};
    for (const [code, res] of Object.entries(r.responses))
      responses[code] = res.schema ? { description: res.description, content: { [res.contentType ?? 'application/json']: { schema: res.schema } } } : { description: res.description };
    const op: Record<string, unknown> = {
      tags: [r.tag],
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      responses,
      security: r.access === 'public' ? [] : [{ cookieAuth: [] }, { bearerAuth: [] }],
    };
    if (r.access === 'admin') op['x-required-role'] = 'admin';
    if (params.length || query.length) op.parameters = [...params, ...query];
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: r.body } } };
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
      schemas: components,
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

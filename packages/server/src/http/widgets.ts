/**
 * Widgets: GET/POST /api/widgets, GET/PUT/DELETE /api/widgets/:uuid, and the
 * embed code / preview page. Admins write; agents may read. Every write runs
 * in one transaction and is announced on the bus only after it committed.
 */
import type { FastifyInstance } from 'fastify';
import { Embed, Widget, WidgetInput, WidgetParams } from '@cw/protocol/api';
import { notFound } from './errors.js';
import { publish } from './events.js';
import { arrayOf, defineRoute, errs, type HttpCtx } from './route.js';
import { widgetView } from './views.js';
import { checkFlags, checkSchedule, widgetFromBody } from './widget-input.js';
import { baseUrl, embedHtml, previewDisposition, previewPage } from './embed.js';

/**
 * Each agent picture may be up to 2 MiB decoded (spec 5), about 2.8 MB as
 * base64: a save that adds several new ones needs more than the app's 4 MiB.
 */
const WIDGET_BODY_LIMIT = 32 * 1024 * 1024;

/** Registers the widget routes. */
export async function widgetRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage, bus, config } = ctx.deps;
  const load = async (uuid: string) => {
    const widget = await storage.widgets.get(uuid);
    if (!widget) throw notFound('widget');
    return widget;
  };

  const loadWidget = async (uuid: string) => {
    const w = await storage.widgets.get(uuid);
    return w && widgetView(w);
  };

  defineRoute(
    app,
    ctx,
    { method: 'GET', url: '/api/widgets', tag: 'widgets', summary: 'All widgets (agents may read)', access: 'any', responses: { 200: { description: 'Widgets', schema: arrayOf(Widget) }, ...errs(401) } },
    async () => (await storage.widgets.list()).map(widgetView),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/widgets',
      tag: 'widgets',
      bodyLimit: WIDGET_BODY_LIMIT,
      summary: 'Create a widget; missing fields get defaults, pictures are re-encoded to 256×256 JPEG',
      access: 'admin',
      audit: { action: 'widget.create', load: loadWidget },
      body: WidgetInput,
      responses: { 201: { description: 'Created, with its uuid', schema: Widget }, ...errs(400, 401, 403, 413, 415) },
    },
    async (req, reply) => {
      const data = await widgetFromBody(req.body);
      const widget = await storage.transaction(async (tx) => {
        await checkFlags(tx, data);
        await checkSchedule(tx, data);
        return tx.widgets.create(data);
      });
      publish(bus, { t: 'widget-updated', uuid: widget.uuid });
      return reply.code(201).send(widgetView(widget));
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/widgets/:uuid',
      tag: 'widgets',
      summary: 'One widget (agents may read)',
      access: 'any',
      params: WidgetParams,
      responses: { 200: { description: 'The widget', schema: Widget }, ...errs(401, 404) },
    },
    async (req) => widgetView(await load(req.params.uuid)),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'PUT',
      url: '/api/widgets/:uuid',
      tag: 'widgets',
      bodyLimit: WIDGET_BODY_LIMIT,
      summary: 'Replace a widget; open visitors get it live',
      access: 'admin',
      audit: { action: 'widget.update', load: loadWidget },
      params: WidgetParams,
      body: WidgetInput,
      responses: { 200: { description: 'The stored widget', schema: Widget }, ...errs(400, 401, 403, 404, 413, 415) },
    },
    async (req) => {
      const { uuid } = req.params;
      // 404 before the (slow) picture work, and again inside the transaction.
      await load(uuid);
      const data = await widgetFromBody(req.body);
      const widget = await storage.transaction(async (tx) => {
        await checkFlags(tx, data);
        await checkSchedule(tx, data);
        const after = await tx.widgets.replace(uuid, data);
        if (!after) throw notFound('widget');
        return after;
      });
      publish(bus, { t: 'widget-updated', uuid });
      return widgetView(widget);
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'DELETE',
      url: '/api/widgets/:uuid',
      tag: 'widgets',
      summary: 'Delete a widget; open visitors get unknown-widget',
      access: 'admin',
      audit: { action: 'widget.delete', load: loadWidget },
      params: WidgetParams,
      responses: { 204: { description: 'Deleted' }, ...errs(401, 403, 404) },
    },
    async (req, reply) => {
      const { uuid } = req.params;
      if (!(await storage.widgets.delete(uuid))) throw notFound('widget');
      publish(bus, { t: 'widget-deleted', uuid });
      return reply.code(204).send();
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/widgets/:uuid/embed',
      tag: 'widgets',
      summary: 'The embed code to paste into a website',
      access: 'admin',
      params: WidgetParams,
      responses: { 200: { description: 'The code lines', schema: Embed }, ...errs(401, 403, 404) },
    },
    async (req) => {
      const widget = await load(req.params.uuid);
      return { html: embedHtml(baseUrl(req, config), widget.uuid) };
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/widgets/:uuid/preview.html',
      tag: 'widgets',
      summary: 'A standalone HTML page with the widget, as a download',
      access: 'admin',
      params: WidgetParams,
      responses: { 200: { description: 'The page', contentType: 'text/html', schema: { type: 'string' } }, ...errs(401, 403, 404) },
    },
    async (req, reply) => {
      const widget = await load(req.params.uuid);
      return reply
        .type('text/html; charset=utf-8')
        .header('content-disposition', previewDisposition(widget.name))
        .header('cache-control', 'no-store')
        .send(previewPage(widget.name, baseUrl(req, config), widget.uuid));
    },
  );
}

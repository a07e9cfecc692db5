/**
 * GET /api/export and POST /api/import (admin): all configuration as one
 * JSON document (backup/backup.ts). The document holds password hashes and
 * webhook secrets; both are recorded in the audit trail.
 */
import type { FastifyInstance } from 'fastify';
import { ConfigDocument, ImportResult } from '@cw/protocol/api';
import { exportConfig, importConfig, ImportRefused } from '../backup/backup.js';
import type { DomainEvent } from '../bus/types.js';
import { HttpError, invalid } from './errors.js';
import { publish } from './events.js';
import { defineRoute, errs, type HttpCtx } from './route.js';

/** Registers the backup routes. */
export async function backupRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage, bus, clock } = ctx.deps;
  // What the audit trail records of an import: how many of each there were before and after (not the document).
  const sizes = async () => ({
    users: (await storage.users.list()).length,
    groups: (await storage.groups.list()).length,
    widgets: (await storage.widgets.list()).length,
    flags: (await storage.flags.list()).length,
    webhooks: (await storage.webhooks.list()).length,
  });

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/export',
      tag: 'backup',
      summary: 'All configuration (users, groups, widgets with pictures, flags, tokens, webhooks, …) as one document; it holds credentials',
      access: 'admin',
      audit: { action: 'config.export', name: () => 'configuration', target: () => 'configuration', load: sizes },
      responses: { 200: { description: 'The document', schema: ConfigDocument }, ...errs(401, 403) },
    },
    async (_req, reply) => {
      const doc = await exportConfig(storage, clock.now());
      reply.header('content-disposition', `attachment; filename="contact-widgets-config-${doc.exportedAt.slice(0, 10)}.json"`);
      return doc;
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'POST',
      url: '/api/import',
      tag: 'backup',
      summary: 'Replace all configuration with an exported document; only into an installation without widgets. Every sign-in ends.',
      access: 'admin',
      audit: { action: 'config.import', name: () => 'configuration', target: () => 'configuration', load: sizes },
      body: ConfigDocument,
      bodyLimit: 64 * 1024 * 1024,
      responses: { 200: { description: 'Imported', schema: ImportResult }, ...errs(400, 401, 403, 409, 413) },
    },
    async (req) => {
      const before = await storage.users.list();
      let imported: Record<string, number>;
      try {
        imported = await importConfig(storage, req.body);
      } catch (err) {
        if (err instanceof ImportRefused) throw err.reason === 'conflict' ? new HttpError('conflict', err.message) : invalid(err.field, err.message);
        throw err;
      }
      const events: DomainEvent[] = [{ t: 'directory-changed' }, { t: 'webhooks-changed' }];
      for (const u of before) events.push({ t: 'user-revoked', userId: u.id });
      for (const w of await storage.widgets.list()) events.push({ t: 'widget-updated', uuid: w.uuid });
      publish(bus, ...events);
      return { imported };
    },
  );
}

/** GET/PUT /api/phone-system (admins only, spec 9): the SIP connector's settings and live status. */
import type { FastifyInstance } from 'fastify';
import { PhoneSystem, PhoneSystemPut } from '@cw/protocol/api';
import { publish } from './events.js';
import { defineRoute, errs, type HttpCtx } from './route.js';

export async function phoneSystemRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const phone = app.phone;

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/phone-system',
      tag: 'phone-system',
      summary: 'The phone-system connection: settings (never the password) and live registration status',
      access: 'admin',
      responses: { 200: { description: 'Settings and status', schema: PhoneSystem }, ...errs(401, 403) },
    },
    async () => phone.view(),
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'PUT',
      url: '/api/phone-system',
      tag: 'phone-system',
      summary: 'Save the phone-system settings and re-register at once (password omitted: the stored one is kept)',
      access: 'admin',
      // The settings before and after (the status is not a setting); the password shows as changed, never its value.
      audit: {
        action: 'phone-system.update',
        target: () => 'phone-system',
        name: () => 'Phone system',
        load: async () => {
          const { status: _status, ...settings } = phone.view();
          return settings;
        },
      },
      body: PhoneSystemPut,
      responses: { 200: { description: 'Saved; status shows the new registration', schema: PhoneSystem }, ...errs(400, 401, 403) },
    },
    async (req) => {
      const view = await phone.put(req.body);
      publish(ctx.deps.bus, { t: 'phone-system-changed', origin: phone.processId });
      return view;
    },
  );
}

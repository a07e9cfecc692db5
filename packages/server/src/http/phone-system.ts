/** GET/PUT /api/phone-system (admins only, spec 9): the SIP connector's settings and live status. */
import type { FastifyInstance } from 'fastify';
import { phoneSystemPutSchema } from '@cw/protocol';
import { parseBody } from './errors.js';
import { publish } from './events.js';
import { defineRoute, errs, ref, type HttpCtx } from './route.js';

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
      responses: { 200: { description: 'Settings and status', schema: ref('PhoneSystem') }, ...errs(401, 403) },
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
      body: ref('PhoneSystemPut'),
      responses: { 200: { description: 'Saved; status shows the new registration', schema: ref('PhoneSystem') }, ...errs(400, 401, 403) },
    },
    async (req) => {
      const input = parseBody(phoneSystemPutSchema, req.body);
      const view = await phone.put(input);
      publish(ctx.deps.bus, { t: 'phone-system-changed', origin: phone.processId });
      return view;
    },
  );
}

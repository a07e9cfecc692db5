/** PUT /api/presence/:sipId — an external presence source (admins, or the user themself). */
import type { FastifyInstance } from 'fastify';
import { PresencePut, PresenceState, SipIdParams } from '@cw/protocol/api';
import { HttpError, notFound } from './errors.js';
import { publish } from './events.js';
import { arrayOf, defineRoute, errs, type HttpCtx } from './route.js';

/** Registers the presence route. */
export async function presenceRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage, bus, clock } = ctx.deps;

  defineRoute(
    app,
    ctx,
    {
      method: 'PUT',
      url: '/api/presence/:sipId',
      tag: 'presence',
      summary: "Set a user's presence from outside (persists; shows even without a console)",
      access: 'any',
      params: SipIdParams,
      body: PresencePut,
      responses: { 200: { description: 'Stored', schema: PresenceState }, ...errs(400, 401, 403, 404) },
    },
    async (req) => {
      const { sipId } = req.params;
      const { presence } = req.body;
      const me = req.auth!.user;
      const user = await storage.users.getBySipId(sipId);
      if (!me.roles.includes('admin') && me.sipId !== sipId)
        throw new HttpError('forbidden', 'Only admins may set the presence of another user.');
      if (!user) throw notFound(`user with the SIP-ID "${sipId.slice(0, 100)}"`);
      const updatedAt = clock.now();
      await storage.presence.set({ userId: user.id, presence, source: 'api', updatedAt });
      publish(bus, { t: 'presence-api', userId: user.id, presence, at: updatedAt });
      return { sipId: user.sipId, presence, updatedAt };
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/presence',
      tag: 'presence',
      summary: "Every user's last stored presence (admins; the admin app's preview shows it live)",
      access: 'admin',
      responses: { 200: { description: 'Stored presence of each user with a SIP-ID', schema: arrayOf(PresenceState) }, ...errs(401, 403) },
    },
    async () => {
      const stored = new Map((await storage.presence.list()).map((p) => [p.userId, p]));
      return (await storage.users.list())
        .filter((u) => u.sipId)
        .map((u) => ({ sipId: u.sipId, presence: stored.get(u.id)?.presence ?? 'offline', updatedAt: stored.get(u.id)?.updatedAt ?? null }));
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/presence/:sipId',
      tag: 'presence',
      summary: "A user's last stored presence (admins, or the user themself)",
      access: 'any',
      params: SipIdParams,
      responses: { 200: { description: 'Stored presence', schema: PresenceState }, ...errs(401, 403, 404) },
    },
    async (req) => {
      const { sipId } = req.params;
      const me = req.auth!.user;
      if (!me.roles.includes('admin') && me.sipId !== sipId) throw new HttpError('forbidden', 'Only admins may read the presence of another user.');
      const user = await storage.users.getBySipId(sipId);
      if (!user) throw notFound(`user with the SIP-ID "${sipId.slice(0, 100)}"`);
      const stored = await storage.presence.get(user.id);
      return { sipId: user.sipId, presence: stored?.presence ?? 'offline', updatedAt: stored?.updatedAt ?? null };
    },
  );
}

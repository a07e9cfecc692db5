/** The phone-system settings: one row (id 1), replaced as a whole. */
import type { PhoneSystemRecord, PhoneSystemRepo } from '../types.js';
import { num, type RepoContext } from '../util.js';

export function phoneSystemRepo(ctx: RepoContext): PhoneSystemRepo {
  return {
    async get() {
      const r = await ctx.db().selectFrom('phone_system').selectAll().where('id', '=', 1).executeTakeFirst();
      if (!r) return undefined;
      return {
        enabled: r.enabled !== 0,
        registrar: r.registrar,
        domain: r.domain,
        username: r.username,
        authUser: r.auth_user,
        passwordEnc: r.password_enc,
        displayName: r.display_name,
        outboundProxy: r.outbound_proxy,
        registerIntervalS: r.register_interval_s,
        updatedAt: num(r.updated_at),
      } satisfies PhoneSystemRecord;
    },
    async put(p) {
      const row = {
        enabled: p.enabled ? 1 : 0,
        registrar: p.registrar,
        domain: p.domain,
        username: p.username,
        auth_user: p.authUser,
        password_enc: p.passwordEnc,
        display_name: p.displayName,
        outbound_proxy: p.outboundProxy,
        register_interval_s: p.registerIntervalS,
        updated_at: p.updatedAt,
      };
      await ctx
        .db()
        .insertInto('phone_system')
        .values({ id: 1, ...row })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    },
  };
}

/** Sign-in sessions (cookies) and API tokens. Both are deleted with their user (foreign key). */
import type { Selectable } from 'kysely';
import type { ApiTokensTable, AuthSessionsTable } from '../schema.js';
import type { ApiTokenRecord, ApiTokenRepo, AuthSessionRecord, AuthSessionRepo } from '../types.js';
import { guard, newId, num, type RepoContext } from '../util.js';

function toSession(r: Selectable<AuthSessionsTable>): AuthSessionRecord {
  return { id: r.id, userId: r.user_id, createdAt: num(r.created_at), expiresAt: num(r.expires_at) };
}

function toToken(r: Selectable<ApiTokensTable>): ApiTokenRecord {
  return { id: r.id, userId: r.user_id, name: r.name, tokenHash: r.token_hash, createdAt: num(r.created_at) };
}

/** Builds the sign-in session repo. */
export function authSessionRepo(ctx: RepoContext): AuthSessionRepo {
  return {
    async create(s) {
      await guard(
        () =>
          ctx
            .db()
            .insertInto('auth_sessions')
            .values({ id: s.id, user_id: s.userId, created_at: s.createdAt, expires_at: s.expiresAt })
            .execute(),
        'userId',
      );
    },
    async get(id) {
      const r = await ctx.db().selectFrom('auth_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toSession(r);
    },
    async delete(id) {
      const res = await ctx.db().deleteFrom('auth_sessions').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async deleteForUser(userId, exceptId) {
      let q = ctx.db().deleteFrom('auth_sessions').where('user_id', '=', userId);
      if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
      const res = await q.executeTakeFirst();
      return Number(res.numDeletedRows);
    },
    async deleteExpired(now) {
      const res = await ctx.db().deleteFrom('auth_sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}

/** Builds the API token repo. */
export function apiTokenRepo(ctx: RepoContext): ApiTokenRepo {
  return {
    async create(t) {
      const rec: ApiTokenRecord = { id: newId(), userId: t.userId, name: t.name, tokenHash: t.tokenHash, createdAt: ctx.now() };
      await guard(
        () =>
          ctx
            .db()
            .insertInto('api_tokens')
            .values({ id: rec.id, user_id: rec.userId, name: rec.name, token_hash: rec.tokenHash, created_at: rec.createdAt })
            .execute(),
        'userId',
      );
      return rec;
    },
    async getByHash(tokenHash) {
      const r = await ctx.db().selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return r && toToken(r);
    },
    async listForUser(userId) {
      const rows = await ctx
        .db()
        .selectFrom('api_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toToken);
    },
    async delete(id) {
      const res = await ctx.db().deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

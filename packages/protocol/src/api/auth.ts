/** Signing in, API tokens and the error answer of the HTTP API. */
import { NotBlank, Type, type Static } from './kit.js';

/** Every API error: a code of the error registry, a sentence, and for invalid input the field. */
export const ApiError = Type.Object({
  error: Type.String({ description: 'a code from the error registry' }),
  message: Type.String(),
  field: Type.Optional(Type.String({ description: 'the invalid field, e.g. agents[0].media[1]' })),
});
export type ApiError = Static<typeof ApiError>;

/** POST /api/login */
export const Login = Type.Object({ username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 200, writeOnly: true }) });
export type Login = Static<typeof Login>;

/** POST /api/me/password: the user's own password change (the new one: 8–200 characters, not easy to guess). */
export const PasswordChange = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: 200, writeOnly: true }),
  password: Type.String({ minLength: 8, maxLength: 200, writeOnly: true }),
});
export type PasswordChange = Static<typeof PasswordChange>;

/** POST /api/tokens */
export const TokenCreate = Type.Object({ name: NotBlank({ minLength: 1, maxLength: 100 }) });
export type TokenCreate = Static<typeof TokenCreate>;

/** An API token without its secret. */
export const Token = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Type.Integer() });
export type Token = Static<typeof Token>;

/** A new API token: the secret is shown only this once. */
export const TokenCreated = Type.Object({ id: Type.String(), name: Type.String(), token: Type.String({ description: 'shown only once' }), createdAt: Type.Integer() });
export type TokenCreated = Static<typeof TokenCreated>;

/** /healthz and /readyz */
export const Health = Type.Object({ ok: Type.Literal(true) });

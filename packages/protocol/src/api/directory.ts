/** Users, groups, flags, presence and the directory search of the HTTP API. */
import { LANGS, PRESENCE, REACH, ROLES } from '../model.js';
import { Picture } from './widgets.js';
import { Email, Matching, NotBlank, Nullable, StringEnum, Type, type Static } from './kit.js';

const Username = Matching('^[A-Za-z0-9._@-]+$', 'may only contain letters, digits and . _ @ -', { minLength: 1, maxLength: 100 });
const SipId = Matching('^[A-Za-z0-9._@+-]+$', 'may only contain letters, digits and . _ @ + -', { minLength: 1, maxLength: 100 });
const Password = Type.String({ minLength: 8, maxLength: 200, writeOnly: true });
const Roles = Type.Array(StringEnum(ROLES), { uniqueItems: true });
/** Spec 9: where calls and chats go. */
const Reach = (description: string) => StringEnum(REACH, { description });
const USER_REACH = 'where calls and chats to this user go: the agent console, the phone system (sip:<sipId>@<domain>), or both at once';
const GROUP_REACH = "the members where each is reached, the group's own address at the phone system (a hunt group), or both";

/** A user id naming a group member. */
export const UserId = Type.String({ minLength: 1, maxLength: 100, description: 'user id' });

/** A user as the API returns it (never with a password). */
export const User = Type.Object({
  id: Type.String({ readOnly: true }),
  username: Type.String(),
  displayName: Type.String(),
  sipId: Type.String(),
  email: Type.String(),
  phone: Type.String(),
  department: Type.String(),
  /** Spec 14: the user's own picture, shown on every widget whose entry has none ("" when none) */
  picture: Type.String({ description: 'a data: URL (256×256 JPEG) or ""' }),
  roles: Type.Array(StringEnum(ROLES)),
  reach: Reach(USER_REACH),
});
export type User = Static<typeof User>;

/** GET /api/me: the signed-in user, with the language chosen for the admin app and console ('' for none: the browser's). */
export const Me = Type.Object({ ...User.properties, lang: Type.String({ description: "the user's language for the admin app and agent console (spec 13); '' until chosen" }) });
export type Me = Static<typeof Me>;

/** PATCH /api/me: what a user may change about themselves. */
export const MePatch = Type.Object({
  lang: StringEnum(['', ...LANGS] as const, { description: "the language of the admin app and agent console; '' to follow the browser's again" }),
});
export type MePatch = Static<typeof MePatch>;

/** POST /api/users (sipId defaults to the username). */
export const UserCreate = Type.Object({
  username: Username,
  password: Password,
  displayName: Type.Optional(Type.String({ maxLength: 100 })),
  sipId: Type.Optional(SipId),
  email: Type.Optional(Email()),
  phone: Type.Optional(Type.String({ maxLength: 50 })),
  department: Type.Optional(Type.String({ maxLength: 100 })),
  picture: Type.Optional(Picture),
  roles: Roles,
  reach: Type.Optional(StringEnum(REACH, { default: 'console', description: USER_REACH })),
});
export type UserCreate = Static<typeof UserCreate>;

/** PATCH /api/users/:id: the fields to change. */
export const UserPatch = Type.Object({
  username: Type.Optional(Username),
  password: Type.Optional(Password),
  displayName: Type.Optional(Type.String({ maxLength: 100 })),
  sipId: Type.Optional(SipId),
  email: Type.Optional(Email()),
  phone: Type.Optional(Type.String({ maxLength: 50 })),
  department: Type.Optional(Type.String({ maxLength: 100 })),
  picture: Type.Optional(Picture),
  roles: Type.Optional(Roles),
  reach: Type.Optional(Reach(USER_REACH)),
});
export type UserPatch = Static<typeof UserPatch>;

export const Group = Type.Object({
  id: Type.String({ readOnly: true }),
  name: Type.String(),
  sipId: Type.String(),
  members: Type.Array(Type.String({ description: 'user id' })),
  reach: Reach(GROUP_REACH),
});
export type Group = Static<typeof Group>;

const Members = Type.Array(UserId, { uniqueItems: true, maxItems: 1000 });
/** POST /api/groups */
export const GroupCreate = Type.Object({ name: NotBlank({ minLength: 1, maxLength: 100 }), sipId: SipId, members: Members, reach: Type.Optional(StringEnum(REACH, { default: 'console', description: GROUP_REACH })) });
export type GroupCreate = Static<typeof GroupCreate>;
/** PATCH /api/groups/:id */
export const GroupPatch = Type.Object({ name: Type.Optional(NotBlank({ minLength: 1, maxLength: 100 })), sipId: Type.Optional(SipId), members: Type.Optional(Members), reach: Type.Optional(Reach(GROUP_REACH)) });
export type GroupPatch = Static<typeof GroupPatch>;

export const Flag = Type.Object({
  id: Type.String({ readOnly: true }),
  name: Type.String(),
  value: Type.Boolean(),
  scheduleId: Type.Optional(Nullable(Type.String(), { description: 'on while this schedule is open (spec 11); a PUT of value overrides it until its next change' })),
});
export type Flag = Static<typeof Flag>;
/** POST /api/flags */
export const FlagCreate = Type.Object({
  name: NotBlank({ minLength: 1, maxLength: 100 }),
  value: Type.Optional(Type.Boolean({ default: false })),
  scheduleId: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
});
export type FlagCreate = Static<typeof FlagCreate>;
/** PUT /api/flags/:id: a new value and/or name. */
export const FlagPut = Type.Object({
  value: Type.Optional(Type.Boolean()),
  name: Type.Optional(NotBlank({ minLength: 1, maxLength: 100 })),
  scheduleId: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
});
export type FlagPut = Static<typeof FlagPut>;

/** PUT /api/presence/:sipId */
export const PresencePut = Type.Object({ presence: StringEnum(PRESENCE) });
export type PresencePut = Static<typeof PresencePut>;
/** A user's stored presence (updatedAt null when never set). */
export const PresenceState = Type.Object({ sipId: Type.String(), presence: StringEnum(PRESENCE), updatedAt: Nullable(Type.Integer()) });
export type PresenceState = Static<typeof PresenceState>;

/** One directory search hit. */
export const DirectoryEntry = Type.Object({
  kind: StringEnum(['user', 'group'] as const),
  id: Type.String(),
  sipId: Type.String(),
  name: Type.String(),
  department: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
});
export type DirectoryEntry = Static<typeof DirectoryEntry>;

/** GET /api/directory?q= */
export const DirectoryQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'substring of username, display name or sipId; empty lists all' })),
});

export const IdParams = Type.Object({ id: Type.String() });
export const SipIdParams = Type.Object({ sipId: Type.String({ description: "the user's SIP-ID" }) });

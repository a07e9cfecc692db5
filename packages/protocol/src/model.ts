/**
 * Shapes shared by the HTTP API, storage and the apps: widgets, agents,
 * users, groups, flags. Schemas validate API bodies; types follow from them.
 */
import { arr, bool, int, literal, nullable, obj, opt, str, type Infer, type Schema } from './schema.js';

export const MEDIA = ['voice', 'video', 'chat', 'email'] as const;
export type Media = (typeof MEDIA)[number];

export const AVAILABILITY = ['presence', 'always', 'boolean', 'inactive'] as const;
export type Availability = (typeof AVAILABILITY)[number];

/** What a user or console may set. */
export const PRESENCE = ['online', 'away', 'busy', 'offline'] as const;
export type Presence = (typeof PRESENCE)[number];

/** What a visitor sees. */
export const VISIBLE_PRESENCE = ['online', 'busy', 'offline'] as const;
export type VisiblePresence = (typeof VISIBLE_PRESENCE)[number];

/** Where a user's or group's calls and chats go (spec 9): the agent console, the phone system, or both at once. */
export const REACH = ['console', 'phone', 'both'] as const;
export type Reach = (typeof REACH)[number];

export const ROLES = ['admin', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export const LANGS = ['en', 'de', 'fr', 'it', 'es', 'nl'] as const;
export type Lang = (typeof LANGS)[number];

/** Largest picture accepted in an API body (decoded bytes). */
export const MAX_PICTURE_BYTES = 2 * 1024 * 1024;
export const PICTURE_RE = /^data:image\/(jpeg|png|webp|gif);base64,[A-Za-z0-9+/]*={0,2}$/;

/** A CSS colour the admin may pick: empty means "inherit". */
const color = str({ max: 32, pattern: /^(|#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,20}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/]+\))$/, patternText: 'must be a colour such as #0a7d5c' });
/** A CSS length; empty means "inherit". */
const cssLength = str({ max: 16, pattern: /^(|\d{1,3}(\.\d+)?(px|em|rem|pt|%)?)$/, patternText: 'must be a size such as 14px' });
const fontFamily = str({ max: 200, pattern: /^[^;{}<>\\]*$/, patternText: 'must not contain ; { } < > or \\' });

export const originSchema = str({
  max: 253,
  pattern: /^https?:\/\/(\*\.)?[a-zA-Z0-9.-]+(:\d{1,5})?$/,
  patternText: 'must be an origin such as https://shop.example.com or https://*.example.com',
});

export const widgetAgentSchema = obj({
  sipId: str({ min: 1, max: 100, notBlank: true }),
  displayName: opt(str({ max: 100 })),
  department: opt(str({ max: 100 })),
  phone: opt(str({ max: 50 })),
  email: opt(str({ max: 254 })),
  picture: opt(str({ max: Math.ceil((MAX_PICTURE_BYTES * 4) / 3) + 64 })),
  media: arr(literal(...MEDIA), { unique: true }),
  availability: literal(...AVAILABILITY),
  flag: opt(nullable(str({ max: 100 }))),
  link: opt(str({ max: 2000 })),
});
export type WidgetAgent = Infer<typeof widgetAgentSchema>;

export const contactSchema = obj({
  company: opt(str({ max: 200 })),
  address: opt(str({ max: 500 })),
  phone: opt(str({ max: 50 })),
  email: opt(str({ max: 254 })),
});
export type Contact = Infer<typeof contactSchema>;

export const appearanceSchema = obj({
  position: opt(literal('left', 'right')),
  alwaysShow: opt(bool()),
  fontFamily: opt(fontFamily),
  fontSize: opt(cssLength),
  colors: opt(obj({ primary: opt(color), background: opt(color), text: opt(color) })),
  margin: opt(obj({ top: opt(int(0, 2000)), right: opt(int(0, 2000)), bottom: opt(int(0, 2000)), left: opt(int(0, 2000)) })),
  zIndex: opt(int(-2147483647, 2147483647)),
});
export type Appearance = Infer<typeof appearanceSchema>;

/** The widget body of POST/PUT /api/widgets. */
export const widgetInputSchema = obj({
  type: literal('sidebar', 'cards'),
  name: str({ min: 1, max: 200, notBlank: true }),
  notes: opt(str({ max: 5000 })),
  lang: opt(literal(...LANGS)),
  contact: opt(contactSchema),
  appearance: opt(appearanceSchema),
  allowedOrigins: opt(arr(originSchema, { max: 100, unique: true })),
  agents: opt(arr(widgetAgentSchema, { max: 200 })),
});
export type WidgetInput = Infer<typeof widgetInputSchema>;

/** A stored widget as the API returns it: every field present. */
export interface Widget {
  uuid: string;
  type: 'sidebar' | 'cards';
  name: string;
  notes: string;
  lang: Lang;
  contact: Contact;
  appearance: Appearance;
  allowedOrigins: string[];
  agents: WidgetAgent[];
  createdAt: number;
  updatedAt: number;
}

const username = str({ min: 1, max: 100, pattern: /^[A-Za-z0-9._@-]+$/, patternText: 'may only contain letters, digits and . _ @ -' });
const sipId = str({ min: 1, max: 100, pattern: /^[A-Za-z0-9._@+-]+$/, patternText: 'may only contain letters, digits and . _ @ + -' });
const password = str({ min: 8, max: 200 });

export const userCreateSchema = obj({
  username,
  password,
  displayName: opt(str({ max: 100 })),
  sipId: opt(sipId),
  email: opt(str({ max: 254 })),
  phone: opt(str({ max: 50 })),
  department: opt(str({ max: 100 })),
  roles: arr(literal(...ROLES), { unique: true }),
  reach: opt(literal(...REACH)),
});
export const userPatchSchema = obj({
  username: opt(username),
  password: opt(password),
  displayName: opt(str({ max: 100 })),
  sipId: opt(sipId),
  email: opt(str({ max: 254 })),
  phone: opt(str({ max: 50 })),
  department: opt(str({ max: 100 })),
  roles: opt(arr(literal(...ROLES), { unique: true })),
  reach: opt(literal(...REACH)),
});

/** A user as the API returns it (never with a password). */
export interface User {
  id: string;
  username: string;
  displayName: string;
  sipId: string;
  email: string;
  phone: string;
  department: string;
  roles: Role[];
  /** where calls and chats to this user go (spec 9); default console */
  reach: Reach;
}

export const groupCreateSchema = obj({
  name: str({ min: 1, max: 100, notBlank: true }),
  sipId,
  members: arr(str({ min: 1, max: 100 }), { unique: true, max: 1000 }),
  reach: opt(literal(...REACH)),
});
export const groupPatchSchema = obj({
  name: opt(str({ min: 1, max: 100, notBlank: true })),
  sipId: opt(sipId),
  members: opt(arr(str({ min: 1, max: 100 }), { unique: true, max: 1000 })),
  reach: opt(literal(...REACH)),
});
export interface Group {
  id: string;
  name: string;
  sipId: string;
  members: string[];
  /** consoles of the members, the group's own address at the phone system, or both (spec 9) */
  reach: Reach;
}

export const flagCreateSchema = obj({ name: str({ min: 1, max: 100, notBlank: true }), value: opt(bool()) });
export const flagPutSchema = obj({ value: opt(bool()), name: opt(str({ min: 1, max: 100, notBlank: true })) });
export interface Flag {
  id: string;
  name: string;
  value: boolean;
}

export const loginSchema = obj({ username: str({ min: 1, max: 100 }), password: str({ min: 1, max: 200 }) });
export const tokenCreateSchema = obj({ name: str({ min: 1, max: 100, notBlank: true }) });
export const presencePutSchema = obj({ presence: literal(...PRESENCE) });

/** One directory search hit. */
export interface DirectoryEntry {
  kind: 'user' | 'group';
  id: string;
  sipId: string;
  name: string;
  department?: string;
  email?: string;
  phone?: string;
}

export type { Schema };

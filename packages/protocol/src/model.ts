/**
 * The value sets shared by the wire protocol, the HTTP API, storage and the
 * apps. The API's shapes themselves (widgets, users, groups, flags, …) are
 * defined once in ./api (TypeBox); their types are re-exported by the
 * package index, type-only, so that importing it never loads TypeBox.
 */

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

/** The languages of the product (the widget's default language; `@cw/i18n` LANGUAGES, checked equal by a test). */
export const LANGS = ['en', 'de', 'fr', 'it', 'es', 'nl', 'pt', 'pl', 'sv', 'tr', 'ar', 'he'] as const;
export type Lang = (typeof LANGS)[number];

/** Largest picture accepted in an API body (decoded bytes). */
export const MAX_PICTURE_BYTES = 2 * 1024 * 1024;
export const PICTURE_RE = /^data:image\/(jpeg|png|webp|gif);base64,[A-Za-z0-9+/]*={0,2}$/;

/**
 * An e-mail address or "" (spec 14): no spaces, no `?` (a `?bcc=` would ride
 * along in a mailto: link), a dotted domain. Letters beyond ASCII are allowed.
 */
export const EMAIL_PATTERN = '^$|^[^\\s\\x00-\\x1f\\x7f@?<>()\\[\\]\\\\,;:"]{1,64}@[^\\s\\x00-\\x1f\\x7f@?<>()\\[\\]\\\\,;:"/#%.]+(\\.[^\\s\\x00-\\x1f\\x7f@?<>()\\[\\]\\\\,;:"/#%.]+)+$';


/** A colour of `appearance.colors` (spec 14): CSS hex #rgb or #rrggbb, or "" (inherit). */
export const COLOR_PATTERN = '^(|#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6})$';

/** Agents one widget may list (spec 14). */
export const MAX_AGENTS = 1000;

/** Longest widget texts (spec 14), in code points. */
export const TEXT_LIMITS = { title: 100, greeting: 500 } as const;

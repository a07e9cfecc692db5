/** Widgets and their agent entries: POST/PUT bodies and GET answers of /api/widgets. */
import { AVAILABILITY, COLOR_PATTERN, LANGS, MAX_AGENTS, MAX_PICTURE_BYTES, MEDIA, TEXT_LIMITS } from '../model.js';
import { Email, Matching, NotBlank, Nullable, StringEnum, Type, type Static } from './kit.js';
import { WidgetOffline } from './schedules.js';

/** A colour the admin may pick (spec 14): a CSS hex colour #rgb or #rrggbb; empty means "inherit". */
const Color = Matching(COLOR_PATTERN, 'must be a hex colour such as #0a7d5c (or empty to inherit the website’s)');
/** A CSS length; empty means "inherit". */
const CssLength = Matching('^(|\\d{1,3}(\\.\\d+)?(px|em|rem|pt|%)?)$', 'must be a size such as 14px', { maxLength: 16 });
const FontFamily = Matching('^[^;{}<>\\\\]*$', 'must not contain ; { } < > or \\', { maxLength: 200 });
const Margin = Type.Integer({ minimum: 0, maximum: 2000 });

/** A website that may use a widget: an exact origin or a wildcard subdomain. */
export const Origin = Matching('^https?:\\/\\/(\\*\\.)?[a-zA-Z0-9.-]+(:\\d{1,5})?$', 'must be an origin such as https://shop.example.com or https://*.example.com', {
  maxLength: 253,
  description: 'https://shop.example.com or https://*.example.com',
});

/** An agent picture as sent: a data: URL (checked and re-encoded by the server), or "" for none. */
export const Picture = Type.String({
  maxLength: Math.ceil((MAX_PICTURE_BYTES * 4) / 3) + 64,
  description: 'data:image/(jpeg|png|webp|gif);base64 under 2 MiB decoded, or ""; stored re-encoded as a 256×256 JPEG',
});

/** A flag id an agent entry follows. */
export const FlagRef = Type.String({ maxLength: 100, description: 'a flag id; required when availability is "boolean"' });

export const WidgetAgent = Type.Object({
  sipId: NotBlank({ minLength: 1, maxLength: 100 }),
  displayName: Type.Optional(Type.String({ maxLength: 100 })),
  department: Type.Optional(Type.String({ maxLength: 100 })),
  phone: Type.Optional(Type.String({ maxLength: 50 })),
  email: Type.Optional(Email()),
  picture: Type.Optional(Picture),
  media: Type.Array(StringEnum(MEDIA), { uniqueItems: true }),
  availability: StringEnum(AVAILABILITY),
  flag: Type.Optional(Nullable(FlagRef)),
  link: Type.Optional(Type.String({ maxLength: 2000, description: 'http(s) address of opening hours or a calendar' })),
  address: Type.Optional(Type.String({ maxLength: 500, description: 'addition (issue 15): the postal address on this agent’s card instead of the widget’s contact address; empty: the widget’s' })),
});
export type WidgetAgent = Static<typeof WidgetAgent>;

export const Contact = Type.Object({
  company: Type.Optional(Type.String({ maxLength: 200 })),
  address: Type.Optional(Type.String({ maxLength: 500 })),
  phone: Type.Optional(Type.String({ maxLength: 50 })),
  email: Type.Optional(Email()),
});
export type Contact = Static<typeof Contact>;

export const Appearance = Type.Object(
  {
    position: Type.Optional(StringEnum(['left', 'right'] as const)),
    alwaysShow: Type.Optional(Type.Boolean()),
    fontFamily: Type.Optional(FontFamily),
    fontSize: Type.Optional(CssLength),
    colors: Type.Optional(Type.Object({ primary: Type.Optional(Color), background: Type.Optional(Color), text: Type.Optional(Color) })),
    margin: Type.Optional(Type.Object({ top: Type.Optional(Margin), right: Type.Optional(Margin), bottom: Type.Optional(Margin), left: Type.Optional(Margin) })),
    zIndex: Type.Optional(Type.Integer({ minimum: -2147483647, maximum: 2147483647 })),
  },
  { description: 'empty values inherit the website’s' },
);
export type Appearance = Static<typeof Appearance>;

const WidgetType = StringEnum(['sidebar', 'cards'] as const);

/** Spec 14: the sidebar's heading and greeting; empty means the widget's default in the visitor's language. */
export const WidgetTexts = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: TEXT_LIMITS.title })),
    greeting: Type.Optional(Type.String({ maxLength: TEXT_LIMITS.greeting })),
  },
  { description: 'what visitors read at the top of the open widget; empty: the defaults in their language' },
);
export type WidgetTexts = Static<typeof WidgetTexts>;

/** The widget body of POST/PUT /api/widgets; missing fields get defaults. */
export const WidgetInput = Type.Object({
  type: WidgetType,
  name: NotBlank({ minLength: 1, maxLength: 200 }),
  notes: Type.Optional(Type.String({ maxLength: 5000 })),
  lang: Type.Optional(StringEnum(LANGS, { default: 'en' })),
  contact: Type.Optional(Contact),
  appearance: Type.Optional(Appearance),
  allowedOrigins: Type.Optional(Type.Array(Origin, { maxItems: 100, uniqueItems: true })),
  texts: Type.Optional(WidgetTexts),
  agents: Type.Optional(Type.Array(WidgetAgent, { maxItems: MAX_AGENTS })),
  scheduleId: Type.Optional(Nullable(Type.String({ maxLength: 100 }), { description: 'outside this schedule the widget says when it is back (spec 11)' })),
  offline: Type.Optional(WidgetOffline),
});
export type WidgetInput = Static<typeof WidgetInput>;

/** A stored widget as the API returns it: every field present. */
export const Widget = Type.Object({
  uuid: Type.String({ readOnly: true }),
  type: WidgetType,
  name: Type.String(),
  notes: Type.String(),
  lang: StringEnum(LANGS),
  contact: Contact,
  appearance: Appearance,
  allowedOrigins: Type.Array(Type.String()),
  /** always present in API answers; optional in stored records written before it existed */
  texts: Type.Optional(WidgetTexts),
  agents: Type.Array(WidgetAgent),
  scheduleId: Type.Optional(Nullable(Type.String())),
  offline: Type.Optional(Type.Object({ enabled: Type.Boolean(), consentText: Type.String(), notify: Type.Array(Type.String()) })),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});
export type Widget = Static<typeof Widget>;

/** GET /api/widgets/:uuid/embed */
export const Embed = Type.Object({ html: Type.String({ description: 'the lines to paste into a page' }) });
export type Embed = Static<typeof Embed>;

export const WidgetParams = Type.Object({ uuid: Type.String({ description: 'the widget uuid' }) });

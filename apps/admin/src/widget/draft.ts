/**
 * The editable form of a widget ("draft") and its conversion to and from the
 * API body. Kept free of UI code so it can be unit tested.
 */
import { AVAILABILITY, COLOR_PATTERN, EMAIL_PATTERN, LANGS, MEDIA, type Availability, type Lang, type Media, type Widget, type WidgetAgent } from '@cw/protocol';
import { Origin, validate } from '@cw/protocol/api';
import type { WidgetBody } from '../api.js';
import { t } from '../i18n.js';
import { msg } from '@cw/client-core';

export interface AgentDraft {
  /** Stable identity in lists (not sent). */
  key: string;
  sipId: string;
  displayName: string;
  department: string;
  phone: string;
  email: string;
  picture: string;
  media: Media[];
  availability: Availability;
  flag: string | null;
  link: string;
  /** issue 15: the address on this agent's card instead of the widget's ("" = the widget's) */
  address: string;
}

export interface Draft {
  type: 'sidebar' | 'cards';
  name: string;
  notes: string;
  lang: Lang;
  contact: { company: string; address: string; phone: string; email: string };
  appearance: {
    position: 'left' | 'right';
    alwaysShow: boolean;
    fontFamily: string;
    fontSize: string;
    colors: { primary: string; background: string; text: string };
    /** Text of the inputs; empty means "inherit". */
    margin: { top: string; right: string; bottom: string; left: string };
    zIndex: string;
  };
  /** One origin per line. */
  originsText: string;
  /** Spec 14: heading and greeting of the open widget; empty = the defaults in the visitor's language. */
  texts: { title: string; greeting: string };
  agents: AgentDraft[];
  /** spec 11: the schedule the widget follows ("" = none) and the offline form */
  scheduleId: string;
  offlineEnabled: boolean;
  consentText: string;
  /** notification addresses, comma or line separated */
  notifyText: string;
}

let keySeq = 0;
/** A fresh list key for an agent row. */
export function newKey(): string {
  return `a${++keySeq}`;
}

const s = (v: unknown): string => (typeof v === 'string' ? v : '');
const n = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? String(v) : '');

/** An agent entry as the form edits it. */
export function agentToDraft(a: Partial<WidgetAgent>): AgentDraft {
  return {
    key: newKey(),
    sipId: s(a.sipId),
    displayName: s(a.displayName),
    department: s(a.department),
    phone: s(a.phone),
    email: s(a.email),
    picture: s(a.picture),
    media: Array.isArray(a.media) ? a.media.filter((m): m is Media => (MEDIA as readonly string[]).includes(m)) : [...MEDIA],
    availability: (AVAILABILITY as readonly string[]).includes(a.availability as string) ? (a.availability as Availability) : 'presence',
    flag: typeof a.flag === 'string' ? a.flag : null,
    link: s(a.link),
    address: s(a.address),
  };
}

/** A default agent for the "Add agent" dialog. */
export function emptyAgent(): AgentDraft {
  return agentToDraft({ media: ['voice', 'video', 'chat', 'email'], availability: 'presence' });
}

/** The draft of a stored widget (fills every missing field). */
export function toDraft(w: Partial<Widget>): Draft {
  const appearance = w.appearance ?? {};
  const c = w.contact ?? {};
  return {
    type: w.type === 'cards' ? 'cards' : 'sidebar',
    name: s(w.name),
    notes: s(w.notes),
    lang: (LANGS as readonly string[]).includes(w.lang as string) ? (w.lang as Lang) : 'en',
    contact: { company: s(c.company), address: s(c.address), phone: s(c.phone), email: s(c.email) },
    appearance: {
      position: appearance.position === 'left' ? 'left' : 'right',
      alwaysShow: appearance.alwaysShow === true,
      fontFamily: s(appearance.fontFamily),
      fontSize: s(appearance.fontSize),
      colors: { primary: s(appearance.colors?.primary), background: s(appearance.colors?.background), text: s(appearance.colors?.text) },
      margin: { top: n(appearance.margin?.top), right: n(appearance.margin?.right), bottom: n(appearance.margin?.bottom), left: n(appearance.margin?.left) },
      zIndex: n(appearance.zIndex),
    },
    originsText: (w.allowedOrigins ?? []).join('\n'),
    texts: { title: s(w.texts?.title), greeting: s(w.texts?.greeting) },
    agents: (w.agents ?? []).map(agentToDraft),
    scheduleId: s(w.scheduleId),
    offlineEnabled: w.offline?.enabled !== false,
    consentText: s(w.offline?.consentText),
    notifyText: (w.offline?.notify ?? []).join(', '),
  };
}

/** The lines of the allowed-origins text, trimmed, without blanks. */
export function originLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}

function intOrUndefined(v: string): number | undefined {
  const t = v.trim();
  if (t === '') return undefined;
  const x = Number(t);
  return Number.isInteger(x) ? x : NaN;
}

/** An agent entry as the API takes it. */
export function agentToBody(a: AgentDraft): WidgetAgent {
  return {
    sipId: a.sipId.trim(),
    displayName: a.displayName.trim(),
    department: a.department.trim(),
    phone: a.phone.trim(),
    email: a.email.trim(),
    picture: a.picture,
    media: MEDIA.filter((m) => a.media.includes(m)),
    availability: a.availability,
    flag: a.availability === 'boolean' ? a.flag : null,
    link: a.link.trim(),
    address: a.address.trim(),
  };
}

/** The PUT body for a draft. Empty appearance values are left out: they inherit. */
export function toBody(d: Draft): WidgetBody {
  const appearance = d.appearance;
  const margin: Record<string, number> = {};
  for (const side of ['top', 'right', 'bottom', 'left'] as const) {
    const v = intOrUndefined(appearance.margin[side]);
    if (v !== undefined) margin[side] = v;
  }
  const zIndex = intOrUndefined(appearance.zIndex);
  return {
    type: d.type,
    name: d.name.trim(),
    notes: d.notes,
    lang: d.lang,
    contact: { company: d.contact.company.trim(), address: d.contact.address.trim(), phone: d.contact.phone.trim(), email: d.contact.email.trim() },
    appearance: {
      position: appearance.position,
      alwaysShow: appearance.alwaysShow,
      fontFamily: appearance.fontFamily.trim(),
      fontSize: appearance.fontSize.trim(),
      colors: { primary: appearance.colors.primary.trim(), background: appearance.colors.background.trim(), text: appearance.colors.text.trim() },
      margin,
      ...(zIndex !== undefined ? { zIndex } : {}),
    },
    allowedOrigins: originLines(d.originsText),
    texts: { title: d.texts.title.trim(), greeting: d.texts.greeting.trim() },
    agents: d.agents.map(agentToBody),
    scheduleId: d.scheduleId || null,
    offline: { enabled: d.offlineEnabled, consentText: d.consentText.trim(), notify: d.notifyText.split(/[\s,;]+/).filter(Boolean) },
  };
}

/** Whether two drafts would save the same widget. */
export function sameDraft(a: Draft, b: Draft): boolean {
  return JSON.stringify(toBody(a)) === JSON.stringify(toBody(b));
}

/** Spec 14: #rgb or #rrggbb, or empty (inherit) — the server's rule. */
const COLOR_RE = new RegExp(COLOR_PATTERN);
const EMAIL_RE = new RegExp(EMAIL_PATTERN);

/** sRGB of a #rgb / #rrggbb colour, or null. */
export function hexRgb(v: string): [number, number, number] | null {
  const t = v.trim();
  if (/^#[0-9a-f]{3}$/i.test(t)) return [1, 2, 3].map((i) => parseInt(t[i]! + t[i]!, 16)) as [number, number, number];
  if (/^#[0-9a-f]{6}$/i.test(t)) return [1, 3, 5].map((i) => parseInt(t.slice(i, i + 2), 16)) as [number, number, number];
  return null;
}

/** WCAG contrast ratio of two colours (1 … 21). */
export function contrastRatio(a: [number, number, number], b: [number, number, number]): number {
  const lum = ([r, g, bl]: [number, number, number]) => {
    const f = (v: number) => {
      const x = v / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(bl);
  };
  const la = lum(a);
  const lb = lum(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * Warnings (not errors: the widget still works) where the widget would be
 * hard to read: text below WCAG AA 4.5:1 on the background, buttons below
 * 3:1 against it. Button text needs no check: the widget writes it in black
 * or white, whichever contrasts more with the primary colour (≥ 4.6:1).
 */
export function contrastWarnings(d: Draft): Record<string, string> {
  const w: Record<string, string> = {};
  const c = d.appearance.colors;
  const bg = hexRgb(c.background) ?? (d.type === 'sidebar' && !c.background.trim() ? ([255, 255, 255] as [number, number, number]) : null);
  const primary = hexRgb(c.primary);
  // The widget writes button text in black or white, whichever reads better (always AA); the buttons themselves must stand out (WCAG 1.4.11, 3:1).
  if (bg && primary) {
    const r = contrastRatio(bg, primary);
    if (r < 3) w['appearance.colors.primary'] = t('Buttons in this colour barely stand out from the background (contrast {ratio}:1; WCAG AA asks for 3:1). Choose a darker or lighter colour.', { ratio: r.toFixed(1) });
  }
  const text = hexRgb(c.text);
  if (bg && text) {
    const r = contrastRatio(bg, text);
    if (r < 4.5) w['appearance.colors.text'] = t('Text on the background is hard to read (contrast {ratio}:1; WCAG AA asks for 4.5:1).', { ratio: r.toFixed(1) });
  }
  return w;
}
const LENGTH_RE = /^(|\d{1,3}(\.\d+)?(px|em|rem|pt|%)?)$/;

/**
 * Checks a draft before it is sent, with the same rules as the server; the
 * keys are the server's field paths so both kinds of errors show alike.
 */
export function validateDraft(d: Draft): Record<string, string> {
  const e: Record<string, string> = {};
  if (!d.name.trim()) e['name'] = t("Give the widget a name.");
  const appearance = d.appearance;
  for (const k of ['primary', 'background', 'text'] as const)
    if (!COLOR_RE.test(appearance.colors[k].trim())) e[`appearance.colors.${k}`] = t('“{value}” is not a colour the widget can use. Enter a hex colour such as #0a7d5c (or pick one), or leave it empty to inherit.', { value: appearance.colors[k].trim().slice(0, 40) });
  if (!LENGTH_RE.test(appearance.fontSize.trim())) e['appearance.fontSize'] = t("Use a size such as 14px or 1rem, or leave it empty to inherit.");
  if (/[;{}<>\\]/.test(appearance.fontFamily)) e['appearance.fontFamily'] = 'A font family must not contain ; { } < > or \\.';
  for (const side of ['top', 'right', 'bottom', 'left'] as const) {
    const v = intOrUndefined(appearance.margin[side]);
    if (v !== undefined && (Number.isNaN(v) || v < 0 || v > 2000)) e[`appearance.margin.${side}`] = t("Use a whole number of pixels from 0 to 2000, or leave it empty.");
  }
  const z = intOrUndefined(appearance.zIndex);
  if (z !== undefined && (Number.isNaN(z) || Math.abs(z) > 2147483647)) e['appearance.zIndex'] = t("Use a whole number, or leave it empty.");
  if (d.contact.email.trim() && !EMAIL_RE.test(d.contact.email.trim())) e['contact.email'] = t('Enter an e-mail address such as sales@example.com (no spaces), or leave it empty.');
  const lines = originLines(d.originsText);
  const seen = new Set<string>();
  lines.forEach((o, i) => {
    const r = validate(Origin, o);
    if (!r.ok) e[`allowedOrigins[${i}]`] = t("Line {line} (“{origin}”) is not an origin. Write it like https://shop.example.com or https://*.example.com.", { line: i + 1, origin: o });
    else if (seen.has(o)) e[`allowedOrigins[${i}]`] = t("Line {line} (“{origin}”) is listed twice.", { line: i + 1, origin: o });
    seen.add(o);
  });
  d.agents.forEach((a, i) => {
    const msg = validateAgent(a);
    for (const [k, v] of Object.entries(msg)) e[`agents[${i}].${k}`] = v;
  });
  return e;
}

/** Checks one agent entry (keys are its field names). */
export function validateAgent(a: AgentDraft): Record<string, string> {
  const e: Record<string, string> = {};
  if (!a.sipId.trim()) e['sipId'] = t("Enter the SIP-ID, or search the directory by name.");
  if (a.availability === 'boolean' && !a.flag) e['flag'] = t("Choose the flag that switches this agent on and off.");
  if (a.link.trim() && !/^https?:\/\/\S+$/i.test(a.link.trim())) e['link'] = t("Use a web address starting with https://");
  if (a.email.trim() && !EMAIL_RE.test(a.email.trim())) e['email'] = t('Enter an e-mail address such as ann@example.com (no spaces), or leave it empty.');
  return e;
}

/** Splits "agents[2].media[1]" into the agent index and the rest ("media[1]"). */
export function agentErrorPath(field: string): { index: number; rest: string } | null {
  const m = /^agents\[(\d+)\](?:\.(.*))?$/.exec(field);
  return m ? { index: Number(m[1]), rest: m[2] ?? '' } : null;
}

/** Finds the error for a form field: exact path, or any path inside it. */
export function errorAt(errors: Record<string, string>, path: string): string | undefined {
  if (errors[path]) return errors[path];
  for (const [k, v] of Object.entries(errors)) if (k.startsWith(`${path}.`) || k.startsWith(`${path}[`)) return v;
  return undefined;
}

const FIELD_WORDS: Record<string, string> = {
  name: msg("The name"),
  notes: msg("The notes"),
  lang: msg("The language"),
  sipId: msg("The SIP-ID"),
  displayName: msg("The display name"),
  department: msg("The department"),
  phone: msg("The phone number"),
  email: msg("The e-mail address"),
  picture: msg("The picture"),
  media: msg("Reachable by"),
  availability: msg("The availability"),
  flag: msg("The flag"),
  link: msg("The link"),
  company: msg("The company"),
  address: msg("The address"),
  fontFamily: msg("The font family"),
  fontSize: msg("The font size"),
  primary: msg("The primary colour"),
  background: msg("The background colour"),
  text: msg("The text colour"),
  zIndex: msg("The z-index"),
  allowedOrigins: msg("This origin"),
};

/**
 * Rewrites a server message that starts with its field path
 * ("agents[0].flag names no existing flag") into words for the field
 * ("The flag names no existing flag").
 */
export function humanError(field: string, message: string): string {
  if (!field || !message.startsWith(`${field} `)) return message;
  const last = field.replace(/\[\d+\]$/, '').split(/[.[\]]+/).filter(Boolean).pop() ?? '';
  const word = (FIELD_WORDS[last] && t(FIELD_WORDS[last])) ?? (/^margin/.test(field) ? t("The margin") : undefined);
  if (!word) return message;
  return `${word} ${message.slice(field.length + 1)}`;
}

/** The value at a field path such as "agents[1].media[0]" or "appearance.colors.text". */
export function valueAt(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const part of path.split(/\.|\[(\d+)\]/).filter((x) => x !== undefined && x !== '')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * The errors still standing after an edit: local checks are re-run, and a
 * server error stays only while the value it was about is unchanged.
 */
export function remainingErrors(prev: Record<string, string>, before: Draft, after: Draft): Record<string, string> {
  const keys = Object.keys(prev);
  if (!keys.length) return prev;
  const local = validateDraft(after);
  const localBefore = validateDraft(before);
  const b = toBody(before);
  const a = toBody(after);
  const next: Record<string, string> = {};
  for (const k of keys) {
    if (local[k]) next[k] = local[k]!;
    else if (!localBefore[k] && JSON.stringify(valueAt(b, k)) === JSON.stringify(valueAt(a, k))) next[k] = prev[k]!;
  }
  return next;
}

/** Local errors for the fields under `prefix` (checked when the user leaves a field). */
export function errorsUnder(d: Draft, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(validateDraft(d)).filter(([k]) => k === prefix || k.startsWith(`${prefix}.`) || k.startsWith(`${prefix}[`)));
}

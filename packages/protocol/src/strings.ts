/**
 * UI texts of the widget, per language (spec 8: at least en, de, fr, it, es, nl).
 * The server sends one language's table in `Session.strings`; the keys are the
 * project's own. `{name}` placeholders are filled in by the widget.
 * OWNER: widget. Add keys here as the widget needs them, in every language.
 */
import { LANGS, type Lang } from './model.js';

export type Strings = Record<string, string>;

const en = {
  contactUs: 'Contact us',
  chatWith: 'Chat with {name}',
  voiceCall: 'Voice call {name}',
  videoCall: 'Video call {name}',
  emailTo: 'E-mail {name}',
  phoneTo: 'Phone {name}',
  yourName: 'Your name',
  start: 'Start',
  message: 'Message',
  send: 'Send',
  endChat: 'End chat',
  hangUp: 'Hang up',
  mute: 'Mute',
  online: 'Available',
  busy: 'Busy',
  offline: 'Not available',
} satisfies Strings;

export type StringKey = keyof typeof en;

const TABLES: Record<Lang, Record<StringKey, string>> = {
  en,
  de: { ...en },
  fr: { ...en },
  it: { ...en },
  es: { ...en },
  nl: { ...en },
};

/** Picks the language: the visitor's (base tag of a region tag) if known, else the fallback. */
export function pickLang(visitor: string | undefined, fallback: Lang): Lang {
  if (visitor) {
    const base = visitor.toLowerCase().split(/[-_]/)[0] as Lang;
    if ((LANGS as readonly string[]).includes(base)) return base;
  }
  return fallback;
}

export function stringsFor(lang: Lang): Record<StringKey, string> {
  return TABLES[lang] ?? TABLES.en;
}

/**
 * UI texts: the server's `Session.strings` (one language, chosen by the
 * server from what the widget asked for), English built in as the fallback.
 * Only English is bundled; every other language arrives with its Session.
 */
import { createTranslator, flatten, LANGUAGES, matchLanguage, type Params } from '@cw/i18n';
import enCatalogue from '@cw/i18n/locales/widget/en.json';

// Pure: the lazily loaded chunk imports helpers from here and must not carry a second copy of the catalogue.
const EN = /* @__PURE__ */ flatten(enCatalogue);
export type StringKey = keyof typeof enCatalogue;

/**
 * A text by key. A string second argument fills `{name}`; an object fills
 * any placeholders, and a numeric `count` selects the plural form
 * (Intl.PluralRules). Values are isolated (bidi) where direction could mix.
 */
export type T = ((key: StringKey, p?: string | Params) => string) & {
  lang: string;
  dir: 'ltr' | 'rtl';
  num: (n: number) => string;
};

/** Builds the text lookup for one `Session.strings` table in `lang`. */
export function makeT(strings: Record<string, string> | undefined, lang = 'en'): T {
  const tr = createTranslator(lang, strings, EN);
  const t = ((key: StringKey, p?: string | Params) => tr.t(key, typeof p === 'string' ? { name: p } : p)) as T;
  t.lang = lang;
  t.dir = tr.dir;
  t.num = (n) => tr.number(n);
  return t;
}

/**
 * The language to ask the server for (spec 13): the element's `lang`
 * attribute, else the browser's languages in order — the first the product
 * speaks, as written (`pt-BR`; the server takes its base language). None of
 * them: the browser's first language as is, and the server answers in the
 * widget's default language.
 */
export function wantedLang(attr: string | null | undefined, browser: readonly string[]): string | undefined {
  const all = [attr, ...browser].filter((x): x is string => !!x);
  return all.find((l) => matchLanguage([l], LANGUAGES, '') !== '') ?? browser[0] ?? attr ?? undefined;
}

/** `hh:mm` in the widget's language. */
export function clock(ts: number, lang?: string): string {
  return new Date(ts).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
}
/** Only http(s) links are rendered (never javascript: or data:). */
export function safeHttpUrl(u: string | undefined): string | null {
  if (!u) return null;
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Safe tel:/mailto: links (issue 11.9); shared with the agent console. */
export { mailUrl, telUrl } from '@cw/client-core';

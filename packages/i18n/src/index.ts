/**
 * The one catalogue format of the widget, the admin app and the agent console,
 * and the tiny runtime that reads it (docs/translating.md).
 *
 * A catalogue is `locales/<part>/<lang>.json`: an object of message keys to
 * strings with `{placeholders}`, or, for a message that depends on a number,
 * an object of plural categories (`one`, `few`, `many`, `other`, … exactly the
 * categories `Intl.PluralRules` has for that language). `$identical` lists
 * keys whose text is the same as English on purpose.
 *
 * No Node, no DOM: the widget bundles this file (keep it small).
 */

/** Every language the product speaks, English first (the default). */
export const LANGUAGES = ['en', 'de', 'fr', 'it', 'es', 'nl', 'pt', 'pl', 'sv', 'tr', 'ar', 'he'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

/** Languages written right to left. */
export const RTL_LANGUAGES: readonly string[] = ['ar', 'he', 'fa', 'ur'];

/** A catalogue as written: plain messages and plural messages. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>>;
export type Catalogue = { [key: string]: string | PluralForms | string[] | undefined; $identical?: string[] };
/** A catalogue flattened to strings: a plural message `k` becomes `k.one`, `k.other`, … */
export type Messages = Record<string, string>;

/** Text direction of a language tag. */
export function dirOf(lang: string): 'ltr' | 'rtl' {
  return RTL_LANGUAGES.includes(lang.toLowerCase().split(/[-_]/)[0]!) ? 'rtl' : 'ltr';
}

/**
 * The best supported language for what is wanted, in order of preference
 * (a forced choice, then the browser's languages): an exact match
 * (case-insensitive) wins, then the base language (`pt-BR` → `pt`). Nothing
 * matching: `fallback`.
 */
export function matchLanguage<L extends string>(wanted: readonly (string | null | undefined)[], supported: readonly L[], fallback: L): L {
  for (const w of wanted) {
    if (!w) continue;
    const tag = w.trim().toLowerCase().replace(/_/g, '-');
    const exact = supported.find((s) => s.toLowerCase() === tag);
    if (exact) return exact;
    const base = supported.find((s) => s.toLowerCase() === tag.split('-')[0]);
    if (base) return base;
  }
  return fallback;
}

/** Flattens a catalogue: plural forms become `key.category`; `$…` entries are left out. */
export function flatten(c: Catalogue): Messages {
  const out: Messages = {};
  for (const [k, v] of Object.entries(c)) {
    if (k.startsWith('$') || v === undefined) continue;
    if (typeof v === 'string') out[k] = v;
    else if (!Array.isArray(v)) for (const [cat, s] of Object.entries(v)) if (typeof s === 'string') out[`${k}.${cat}`] = s;
  }
  return out;
}

export type Params = Record<string, string | number>;

/** Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, …). */
const RTL_CHARS = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;

/** First strong isolate … pop directional isolate: keeps a name's direction from leaking into the sentence. */
export const isolate = (s: string): string => `\u2068${s}\u2069`;

export interface Translator {
  readonly lang: string;
  readonly dir: 'ltr' | 'rtl';
  /**
   * The message `key` with its `{placeholders}` filled in. With a numeric
   * `count` and a plural message, the form `Intl.PluralRules` selects.
   * Numbers are formatted for the language. Missing in this language:
   * the fallback's text; missing there too: the key.
   */
  t(key: string, params?: Params): string;
  /** The message split into text and placeholder values, for rendering values in `<bdi>`. */
  parts(key: string, params?: Params): (string | { name: string; value: string })[];
  number(n: number, opts?: Intl.NumberFormatOptions): string;
  date(ts: number | Date, opts?: Intl.DateTimeFormatOptions): string;
}

/**
 * A translator for one language. `isolateValues` wraps every placeholder
 * value in Unicode isolates (for strings that cannot hold `<bdi>`, such as
 * attributes); by default in right-to-left languages, and in left-to-right
 * ones for values written in a right-to-left script.
 */
export function createTranslator(
  lang: string,
  messages: Messages | undefined,
  fallback: Messages = {},
  opts: { isolateValues?: boolean; timeZone?: string } = {},
): Translator {
  const m = messages ?? {};
  const dir = dirOf(lang);
  const iso = (v: string) => opts.isolateValues ?? (dir === 'rtl' || RTL_CHARS.test(v));
  let rules: Intl.PluralRules | undefined;
  let nf: Intl.NumberFormat | undefined;
  const number = (n: number, o?: Intl.NumberFormatOptions): string => (o ? new Intl.NumberFormat(lang, o) : (nf ??= new Intl.NumberFormat(lang))).format(n);
  const template = (key: string, params?: Params): string => {
    const count = params?.count;
    if (typeof count === 'number' && (m[`${key}.other`] ?? fallback[`${key}.other`]) !== undefined) {
      const cat = (rules ??= new Intl.PluralRules(lang)).select(count);
      // A language's own forms first; the fallback's forms only when this language lacks the message.
      if (m[`${key}.other`] !== undefined) return m[`${key}.${cat}`] ?? m[`${key}.other`]!;
      return fallback[`${key}.${new Intl.PluralRules('en').select(count)}`] ?? fallback[`${key}.other`]!;
    }
    return m[key] ?? fallback[key] ?? key;
  };
  const value = (v: string | number): string => (typeof v === 'number' ? number(v) : v);
  const parts: Translator['parts'] = (key, params) =>
    template(key, params)
      .split(/(\{\w+\})/)
      .filter((s) => s !== '')
      .map((s) => {
        const name = /^\{(\w+)\}$/.exec(s)?.[1];
        return name !== undefined && params && name in params ? { name, value: value(params[name]!) } : s;
      });
  return {
    lang,
    dir,
    t: (key, params) =>
      params
        ? parts(key, params)
            .map((p) => (typeof p === 'string' ? p : iso(p.value) ? isolate(p.value) : p.value))
            .join('')
        : template(key),
    parts,
    number,
    date: (ts, o) => new Intl.DateTimeFormat(lang, { ...(opts.timeZone ? { timeZone: opts.timeZone } : {}), ...(o ?? { dateStyle: 'medium', timeStyle: 'short' }) }).format(ts),
  };
}

/** The language's own name in that language (`Deutsch`, `עברית`), for language choosers. */
export function autonym(lang: string): string {
  try {
    const n = new Intl.DisplayNames([lang], { type: 'language' }).of(lang);
    return n ? n.charAt(0).toLocaleUpperCase(lang) + n.slice(1) : lang;
  } catch {
    return lang;
  }
}

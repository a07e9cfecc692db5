/**
 * The language of the admin app and the agent console (spec 13): the user's
 * choice — remembered in this browser and, once signed in, on the server
 * (`PATCH /api/me {lang}`) — else the browser's languages, else English.
 * English is bundled; another language's catalogue is loaded on demand (one
 * chunk per language). Switching sets `lang` and `dir` on <html> and tells
 * the app to re-render.
 */
import { createTranslator, dirOf, flatten, LANGUAGES, matchLanguage, type Catalogue, type Language, type Params, type Translator } from '@cw/i18n';
import { readStored, writeStored } from './stored.js';

export interface AppLanguage {
  /** The current language. */
  readonly lang: Language;
  readonly dir: 'ltr' | 'rtl';
  /** A text by key (the English text), placeholders filled, plural by `count`. */
  t(key: string, params?: Params): string;
  /**
   * A text whose placeholders are filled with things other than strings (`{name}` → a <bdi> element), for
   * sentences that hold markup: the text split into its literal pieces and the given parts, in order.
   */
  parts<P>(key: string, parts: Record<string, P>): (string | P)[];
  /** A date and time (or with `opts`, what they ask for) in the user's locale and time zone. */
  date(ts: number | Date, opts?: Intl.DateTimeFormatOptions): string;
  number(n: number, opts?: Intl.NumberFormatOptions): string;
  /** The language to start in: the stored choice, else the browser's. */
  initial(): Language;
  /** Loads and switches to a language; `remember` stores it as the user's choice in this browser. */
  use(lang: string, opts?: { remember?: boolean }): Promise<Language>;
  /** The user's stored choice in this browser, if any. */
  stored(): Language | null;
  subscribe(fn: () => void): () => void;
}

export function createAppLanguage(opts: {
  storageKey: string;
  en: Catalogue;
  load: (lang: Language) => Promise<Catalogue>;
}): AppLanguage {
  const en = flatten(opts.en);
  let lang: Language = 'en';
  let tr: Translator = createTranslator('en', en, en);
  const listeners = new Set<() => void>();
  const cache = new Map<Language, Catalogue>([['en', opts.en]]);
  const stored = (): Language | null => {
    const s = readStored('localStorage', opts.storageKey);
    return typeof s === 'string' ? matchLanguage([s], LANGUAGES, '' as Language) || null : null;
  };
  const browser = (): string[] => (typeof navigator === 'undefined' ? [] : navigator.languages?.length ? [...navigator.languages] : [navigator.language]);
  return {
    get lang() {
      return lang;
    },
    get dir() {
      return tr.dir;
    },
    t: (key, params) => tr.t(key, params),
    parts: (key, parts) =>
      tr
        .t(key)
        .split(/(\{\w+\})/)
        .filter((s) => s !== '')
        .map((s) => {
          const name = /^\{(\w+)\}$/.exec(s)?.[1];
          return name !== undefined && name in parts ? parts[name]! : s;
        }),
    date: (ts, o) => tr.date(ts, o),
    number: (n, o) => tr.number(n, o),
    stored,
    initial: () => stored() ?? matchLanguage(browser(), LANGUAGES, 'en'),
    async use(wanted, o = {}) {
      const l = matchLanguage([wanted], LANGUAGES, 'en');
      let cat = cache.get(l);
      if (!cat) {
        cat = await opts.load(l);
        cache.set(l, cat);
      }
      lang = l;
      tr = createTranslator(l, flatten(cat), en);
      if (o.remember) writeStored('localStorage', opts.storageKey, l);
      if (typeof document !== 'undefined') {
        document.documentElement.lang = l;
        document.documentElement.dir = dirOf(l);
      }
      for (const f of listeners) f();
      return l;
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** Marks a text in a constant as a catalogue key (translated later with `t(key)`); the key check finds it. */
export const msg = <S extends string>(s: S): S => s;

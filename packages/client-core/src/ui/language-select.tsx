/**
 * The language chooser of the admin app and the agent console (spec 13):
 * every language by its own name, marked up in that language. The choice is
 * remembered in this browser and, when signed in, for the user on the server.
 *
 * One component for both apps: each passes its own language state and `t`
 * (`bindLanguageSelect` does that once per app). Not used by the widget.
 */
import { h } from 'preact';
import { useEffect, useReducer } from 'preact/hooks';
import { autonym, dirOf, LANGUAGES } from '@cw/i18n';
import { fetchJson } from '../fetch-json.js';
import type { AppLanguage } from '../app-language.js';

export interface LanguageSelectProps {
  /** The app's language state. */
  language: AppLanguage;
  /** The app's translator (the label "Language" comes from the app's catalogue). */
  t: (key: string) => string;
  /** Signed in: the choice is also stored for the user (`PATCH /api/me`). */
  signedIn: boolean;
  /** The select's id (two choosers on one page need two ids). */
  id?: string;
}

/** Re-renders the calling component when the language changes. */
export function useLanguage(language: AppLanguage): string {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => language.subscribe(() => bump(0)), [language]);
  return language.lang;
}

export function LanguageSelect({ language, t, signedIn, id = 'ui-language' }: LanguageSelectProps) {
  const lang = useLanguage(language);
  return (
    <span class="language">
      <label for={id}>{t('Language')}</label>
      <select
        id={id}
        value={lang}
        onChange={(e) => {
          const l = e.currentTarget.value;
          void language.use(l, { remember: true }).then((chosen) => {
            if (signedIn) void fetchJson('PATCH', '/api/me', { lang: chosen }).catch(() => {});
          });
        }}
      >
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l} dir={dirOf(l)}>
            {autonym(l)}
          </option>
        ))}
      </select>
    </span>
  );
}

/** The chooser and the re-render hook bound to one app's language and `t`. */
export function bindLanguageSelect(language: AppLanguage, t: (key: string) => string) {
  return {
    LanguageSelect: (p: { signedIn: boolean; id?: string }) => h(LanguageSelect, { ...p, language, t }),
    useLanguage: () => useLanguage(language),
  };
}

/**
 * The language chooser (spec 13): every language by its own name, marked up
 * in that language. The choice is remembered in this browser and, when
 * signed in, for the user on the server.
 */
import { useEffect, useReducer } from 'preact/hooks';
import { autonym, dirOf, LANGUAGES } from '@cw/i18n';
import { fetchJson } from '@cw/client-core';
import { language, t } from '../i18n.js';

/** Re-renders the calling component when the language changes. */
export function useLanguage(): string {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => language.subscribe(() => bump(0)), []);
  return language.lang;
}

export function LanguageSelect(props: { signedIn: boolean; id?: string }) {
  const lang = useLanguage();
  const id = props.id ?? 'ui-language';
  return (
    <span class="language">
      <label for={id}>{t('Language')}</label>
      <select
        id={id}
        value={lang}
        onChange={(e) => {
          const l = e.currentTarget.value;
          void language.use(l, { remember: true }).then((chosen) => {
            if (props.signedIn) void fetchJson('PATCH', '/api/me', { lang: chosen }).catch(() => {});
          });
        }}
      >
        {LANGUAGES.map((l) => (
          <option value={l} lang={l} dir={dirOf(l)}>
            {autonym(l)}
          </option>
        ))}
      </select>
    </span>
  );
}

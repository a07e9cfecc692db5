/**
 * The console's language (spec 13; docs/translating.md): `t('English text')`
 * looks the text up in packages/i18n/locales/console/<lang>.json. Only
 * English is bundled; the chosen language is a chunk loaded on demand.
 */
import type { ComponentChildren } from 'preact';
import { createAppLanguage, type AppLanguage } from '@cw/client-core';
import { bindLanguageSelect } from '@cw/client-core/ui';
import type { Catalogue, Language } from '@cw/i18n';
import en from '../../../packages/i18n/locales/console/en.json';

/**
 * One chunk per language, named one by one (not a glob): English is in app.js, and a glob would
 * also make English a shared chunk that every page load fetches.
 */
const LOADERS: Record<Exclude<Language, 'en'>, () => Promise<{ default: Catalogue }>> = {
  de: () => import('../../../packages/i18n/locales/console/de.json'),
  fr: () => import('../../../packages/i18n/locales/console/fr.json'),
  it: () => import('../../../packages/i18n/locales/console/it.json'),
  es: () => import('../../../packages/i18n/locales/console/es.json'),
  nl: () => import('../../../packages/i18n/locales/console/nl.json'),
  pt: () => import('../../../packages/i18n/locales/console/pt.json'),
  pl: () => import('../../../packages/i18n/locales/console/pl.json'),
  sv: () => import('../../../packages/i18n/locales/console/sv.json'),
  tr: () => import('../../../packages/i18n/locales/console/tr.json'),
  ar: () => import('../../../packages/i18n/locales/console/ar.json'),
  he: () => import('../../../packages/i18n/locales/console/he.json'),
};

export const language: AppLanguage = createAppLanguage({
  storageKey: 'cw.console.lang',
  en,
  load: async (lang) => (await LOADERS[lang as Exclude<Language, 'en'>]()).default,
});

/** A text in the user's language (the key is the English text). */
export const t: AppLanguage['t'] = (key, params) => language.t(key, params);

/**
 * The language chooser (shared with the other app, `@cw/client-core/ui`) bound to this app's
 * language, and the hook that re-renders a component when the language changes.
 */
export const { LanguageSelect, useLanguage } = bindLanguageSelect(language, t);

/** A text with elements in its placeholders (`{name}` → a <bdi> with the visitor's name), for sentences that hold markup. */
export const tx = (key: string, parts: Record<string, ComponentChildren>): ComponentChildren[] => language.parts(key, parts);

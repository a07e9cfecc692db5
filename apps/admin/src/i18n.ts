/**
 * The admin's language (spec 13; docs/translating.md): `t('English text')`
 * looks the text up in packages/i18n/locales/admin/<lang>.json. Only
 * English is bundled; the chosen language is a chunk loaded on demand.
 */
import type { ComponentChildren } from 'preact';
import { createAppLanguage, type AppLanguage } from '@cw/client-core';
import en from '../../../packages/i18n/locales/admin/en.json';

export const language: AppLanguage = createAppLanguage({
  storageKey: 'cw.admin.lang',
  en,
  load: async (lang) => (await import(`../../../packages/i18n/locales/admin/${lang}.json`)).default,
});

/** A text in the user's language (the key is the English text). */
export const t: AppLanguage['t'] = (key, params) => language.t(key, params);

/**
 * A text with elements in its placeholders (`{name}` → a <bdi> with the
 * visitor's name), for sentences that hold markup.
 */
export function tx(key: string, parts: Record<string, ComponentChildren>): ComponentChildren[] {
  return language
    .t(key)
    .split(/(\{\w+\})/)
    .filter((s) => s !== '')
    .map((s) => {
      const name = /^\{(\w+)\}$/.exec(s)?.[1];
      return name !== undefined && name in parts ? parts[name] : s;
    });
}

import { describe, expect, it } from 'vitest';
import { LANGS } from '@cw/protocol';
import { EN_STRINGS, allStrings, pickLang, stringsFor } from '@cw/protocol/strings';

describe('widget strings', () => {
  const keys = Object.keys(EN_STRINGS).sort();

  it.each(LANGS)('%s has every key, none empty, with the same placeholders', (lang) => {
    const table = stringsFor(lang);
    expect(Object.keys(table).sort()).toEqual(keys);
    for (const k of keys) {
      const v = table[k as keyof typeof table];
      expect(v.trim(), `${lang}.${k}`).not.toBe('');
      const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(ph(v), `${lang}.${k} placeholders`).toEqual(ph(EN_STRINGS[k as keyof typeof EN_STRINGS]));
    }
  });

  it('non-English tables are real translations, not copies', () => {
    for (const lang of LANGS.filter((l) => l !== 'en')) {
      const same = keys.filter((k) => allStrings()[lang][k as keyof typeof EN_STRINGS] === EN_STRINGS[k as keyof typeof EN_STRINGS]);
      // A few words are the same in several languages (e.g. "E-mail", "Messages").
      expect(same.length, `${lang}: ${same.join(', ')}`).toBeLessThan(6);
    }
  });

  it('the accessible names of spec section 7 are the English texts', () => {
    const t = (k: keyof typeof EN_STRINGS) => EN_STRINGS[k].replace('{name}', 'Ann');
    expect(t('chatWith')).toBe('Chat with Ann');
    expect(t('voiceCall')).toBe('Voice call Ann');
    expect(t('videoCall')).toBe('Video call Ann');
    expect(t('emailTo')).toBe('E-mail Ann');
    expect(t('phoneTo')).toBe('Phone Ann');
    expect([t('yourName'), t('start'), t('message'), t('send'), t('endChat'), t('hangUp'), t('mute'), t('contactUs')]).toEqual([
      'Your name', 'Start', 'Message', 'Send', 'End chat', 'Hang up', 'Mute', 'Contact us',
    ]);
  });

  it('picks the base language of a region tag and falls back otherwise', () => {
    expect(pickLang('de-CH', 'en')).toBe('de');
    expect(pickLang('pt-BR', 'fr')).toBe('fr');
    expect(pickLang(undefined, 'it')).toBe('it');
  });
});

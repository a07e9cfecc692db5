import { describe, expect, it } from 'vitest';
import { autonym, createTranslator, dirOf, flatten, matchLanguage, LANGUAGES } from '../src/index.js';

describe('matchLanguage', () => {
  it('takes the first wanted language it supports, exact before base (pt-BR → pt)', () => {
    expect(matchLanguage(['pt-BR', 'en'], LANGUAGES, 'en')).toBe('pt');
    expect(matchLanguage(['xx', 'de-CH', 'fr'], LANGUAGES, 'en')).toBe('de');
    expect(matchLanguage(['zh-Hant', 'ja'], LANGUAGES, 'it')).toBe('it');
    expect(matchLanguage([null, undefined, ''], LANGUAGES, 'nl')).toBe('nl');
    expect(matchLanguage(['pt-br'], ['en', 'pt', 'pt-BR'] as const, 'en')).toBe('pt-BR');
    expect(matchLanguage(['HE_il'], LANGUAGES, 'en')).toBe('he');
  });
});

describe('translator', () => {
  const en = flatten({ hi: 'Hello {name}', n: { one: '{count} new message', other: '{count} new messages' } });
  const pl = flatten({ hi: 'Cześć {name}', n: { one: '{count} nowa wiadomość', few: '{count} nowe wiadomości', many: '{count} nowych wiadomości', other: '{count} wiadomości' } });

  it('fills placeholders and picks plural forms through Intl.PluralRules', () => {
    const t = createTranslator('pl', pl, en);
    expect([1, 2, 5, 22].map((count) => t.t('n', { count }))).toEqual(['1 nowa wiadomość', '2 nowe wiadomości', '5 nowych wiadomości', '22 nowe wiadomości']);
    expect(t.t('hi', { name: 'Ann' })).toBe('Cześć Ann');
  });

  it('falls back to the fallback catalogue, then to the key', () => {
    const t = createTranslator('pl', {}, en);
    expect(t.t('n', { count: 1 })).toBe('1 new message');
    expect(t.t('hi', { name: 'Ann' })).toBe('Hello Ann');
    expect(t.t('nope')).toBe('nope');
  });

  it('formats numbers for the language and isolates values in right-to-left languages', () => {
    const t = createTranslator('ar', flatten({ hi: 'مرحبًا {name}' }), en);
    expect(t.dir).toBe('rtl');
    expect(t.t('hi', { name: 'Ann' })).toBe('مرحبًا \u2068Ann\u2069');
    expect(createTranslator('de', {}, en).number(12345.5)).toBe('12.345,5');
    expect(createTranslator('en', en).t('hi', { name: 'Ann' })).toBe('Hello Ann');
    // A right-to-left value in a left-to-right sentence is isolated too.
    expect(createTranslator('en', en).t('hi', { name: 'דני' })).toBe('Hello \u2068דני\u2069');
  });

  it('splits a message into text and values (for <bdi>)', () => {
    expect(createTranslator('en', en).parts('hi', { name: 'Ann' })).toEqual(['Hello ', { name: 'name', value: 'Ann' }]);
  });

  it('knows directions and language names', () => {
    expect(dirOf('he-IL')).toBe('rtl');
    expect(dirOf('ar')).toBe('rtl');
    expect(dirOf('pt-BR')).toBe('ltr');
    expect(autonym('de')).toBe('Deutsch');
    expect(autonym('sv')).toBe('Svenska');
  });
});

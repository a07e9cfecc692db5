import { describe, expect, it } from 'vitest';
import { LANGS } from '@cw/protocol';
import { LANGUAGES } from '@cw/i18n';
import { widgetStrings } from '@cw/i18n/widget';
import enCatalogue from '@cw/i18n/locales/widget/en.json';
import { makeT, wantedLang } from '../src/text.js';

describe('widget languages', () => {
  it('the protocol’s languages are the catalogues’ languages', () => {
    expect([...LANGS]).toEqual([...LANGUAGES]);
  });

  it('asks for the element’s lang, else the first browser language the product speaks (pt-BR → pt)', () => {
    expect(wantedLang('ar', ['de-DE', 'en'])).toBe('ar');
    expect(wantedLang(null, ['pt-BR', 'en'])).toBe('pt-BR');
    expect(wantedLang(null, ['ja', 'sv-FI', 'en'])).toBe('sv-FI');
    expect(wantedLang('xx', ['ja', 'he-IL'])).toBe('he-IL');
    // Nothing known: the browser's first language as is (the server then uses the widget's default).
    expect(wantedLang(null, ['ja', 'ko'])).toBe('ja');
    expect(wantedLang(null, [])).toBeUndefined();
  });

  it('the accessible names of spec section 7 are the English texts', () => {
    const t = makeT(undefined);
    expect([t('chatWith', 'Ann'), t('voiceCall', 'Ann'), t('videoCall', 'Ann'), t('emailTo', 'Ann'), t('phoneTo', 'Ann')]).toEqual([
      'Chat with Ann', 'Voice call Ann', 'Video call Ann', 'E-mail Ann', 'Phone Ann',
    ]);
    expect([t('yourName'), t('start'), t('message'), t('send'), t('endChat'), t('hangUp'), t('mute'), t('contactUs')]).toEqual([
      'Your name', 'Start', 'Message', 'Send', 'End chat', 'Hang up', 'Mute', 'Contact us',
    ]);
  });

  it('counts unread messages with the language’s plural forms, numbers formatted for it', () => {
    const pl = makeT(widgetStrings('pl'), 'pl');
    expect([1, 2, 5, 22].map((count) => pl('unreadCount', { count }))).toEqual(['1 nowa wiadomość', '2 nowe wiadomości', '5 nowych wiadomości', '22 nowe wiadomości']);
    const ar = makeT(widgetStrings('ar'), 'ar');
    expect(ar.dir).toBe('rtl');
    expect(ar('unreadCount', { count: 2 })).toBe('رسالتان جديدتان');
    expect(ar('chatWith', 'Ann')).toBe('دردشة مع \u2068Ann\u2069');
    expect(makeT(widgetStrings('en')).dir).toBe('ltr');
  });

  it('falls back to English for a key a server does not send', () => {
    const t = makeT({ send: 'Senden' }, 'de');
    expect(t('send')).toBe('Senden');
    expect(t('endChat')).toBe(enCatalogue.endChat);
  });
});

import { describe, expect, it } from 'vitest';
import { cssVars, readableOn } from '../src/appearance.js';
import { socketUrl } from '../src/controller.js';
import { mailUrl, safeHttpUrl, telUrl } from '../src/text.js';

describe('appearance', () => {
  it('text on the primary colour is whichever of black/white contrasts more', () => {
    expect(readableOn('#0a7d5c')).toBe('#fff');
    expect(readableOn('#ffeb3b')).toBe('#000');
  });
  it('empty values inherit for cards; a sidebar panel gets an opaque default', () => {
    const cards = cssVars({ colors: { primary: '', background: '', text: '' } }, 'cards');
    expect(cards['--cw-bg']).toBeUndefined();
    expect(cards['--cw-text-solid']).toBeUndefined();
    expect(cards['--cw-font']).toBeUndefined();
    const side = cssVars({}, 'sidebar');
    expect(side['--cw-bg']).toBe('#ffffff');
    expect(side['--cw-text-solid']).toBe('#1a1a1a');
  });
  it('maps font, size, margins and z-index', () => {
    const v = cssVars({ fontFamily: 'Georgia, serif', fontSize: '18', margin: { top: 0, right: 12, bottom: 30, left: 0 }, zIndex: 5000 }, 'sidebar');
    expect(v).toMatchObject({ '--cw-font': 'Georgia, serif', '--cw-size': '18px', '--cw-mr': '12px', '--cw-mb': '30px', '--cw-z': '5000' });
  });
});

describe('urls', () => {
  it('derives the socket URL from the server attribute', () => {
    expect(socketUrl('https://cw.example.com')).toBe('wss://cw.example.com/ws/widget');
    expect(socketUrl('http://127.0.0.1:8080/')).toBe('ws://127.0.0.1:8080/ws/widget');
    expect(socketUrl('https://example.com/support/')).toBe('wss://example.com/support/ws/widget');
  });
  it('only renders safe links', () => {
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('https://example.com/hours')).toBe('https://example.com/hours');
    expect(telUrl('+1 (555) 0100')).toBe('tel:+15550100');
    expect(mailUrl('a@b.example')).toBe('mailto:a@b.example');
    expect(mailUrl('not an address')).toBeNull();
    // Issue 11.9: nothing in an address may add headers to the mail (a hidden bcc); parts are encoded.
    expect(mailUrl('x@y.z?bcc=spy%40evil.example')).toBeNull();
    expect(mailUrl('x@y.z&bcc=spy@evil.example')).toBeNull();
    expect(mailUrl('x%3Fbcc@y.z')).toBeNull();
    expect(mailUrl('müller@bäcker.de')).toBe('mailto:m%C3%BCller@b%C3%A4cker.de');
    expect(telUrl('+41 44 123 45 67 #12')).toBe('tel:+41441234567%2312');
  });
});

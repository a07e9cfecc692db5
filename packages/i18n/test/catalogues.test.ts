import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { LANGUAGES, type Catalogue } from '../src/index.js';
import { checkCatalogues } from '../src/check.js';

const dir = path.resolve(__dirname, '../locales');
const parts = fs.readdirSync(dir).filter((p) => fs.statSync(path.join(dir, p)).isDirectory());
const load = (part: string): Record<string, Catalogue> =>
  Object.fromEntries(
    fs
      .readdirSync(path.join(dir, part))
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(dir, part, f), 'utf8')) as Catalogue]),
  );

describe('catalogues', () => {
  it('the three parts exist', () => {
    expect(parts.sort()).toEqual(['admin', 'console', 'widget']);
  });

  it.each(parts)('%s: every language of the product has a catalogue, and no other file', (part) => {
    expect(Object.keys(load(part)).sort()).toEqual([...LANGUAGES].sort());
  });

  it.each(parts)('%s: every language has every key, the plural forms of its language, the same placeholders, and is translated', (part) => {
    expect(checkCatalogues(part, load(part))).toEqual([]);
  });
});

describe('the catalogue check', () => {
  const en: Catalogue = { hello: 'Hello {name}', ok: 'OK', unread: { one: '{count} new message', other: '{count} new messages' } };
  const de: Catalogue = { $identical: ['ok'], hello: 'Hallo {name}', ok: 'OK', unread: { one: '{count} neue Nachricht', other: '{count} neue Nachrichten' } };

  it('passes good catalogues', () => {
    expect(checkCatalogues('t', { en, de })).toEqual([]);
  });

  it('fails on a missing key', () => {
    const { hello: _, ...missing } = de;
    expect(checkCatalogues('t', { en, de: missing })).toEqual(['t/de.json hello: missing']);
  });

  it('fails on a missing or extra placeholder', () => {
    expect(checkCatalogues('t', { en, de: { ...de, hello: 'Hallo' } })).toEqual(['t/de.json hello: placeholders {} instead of {name}']);
    expect(checkCatalogues('t', { en, de: { ...de, hello: 'Hallo {name} {extra}' } })).toEqual(['t/de.json hello: placeholders {extra}, {name} instead of {name}']);
    expect(checkCatalogues('t', { en, de: { ...de, unread: { one: 'eine neue Nachricht', other: 'neue Nachrichten' } } })).toEqual([
      't/de.json unread.other: missing placeholders {count}',
    ]);
  });

  it('fails on text left in English unless it is listed as identical on purpose', () => {
    expect(checkCatalogues('t', { en, de: { ...de, $identical: [] } })).toEqual(['t/de.json ok: same as en ("OK"); translate it, or list it in $identical']);
  });

  it('fails on plural forms that are not the language’s (Intl.PluralRules)', () => {
    const pl: Catalogue = { $identical: ['ok'], hello: 'Cześć {name}', ok: 'OK', unread: { one: '{count} nowa wiadomość', other: '{count} nowych wiadomości' } };
    expect(checkCatalogues('t', { en, pl })).toEqual(['t/pl.json unread: plural forms {one, other} instead of {few, many, one, other} (Intl.PluralRules)']);
  });

  it('fails on keys English does not have, and on empty texts', () => {
    expect(checkCatalogues('t', { en, de: { ...de, old: 'Alt', hello: ' ' } })).toEqual(['t/de.json old: not in en (unused key)', 't/de.json hello: empty', 't/de.json hello: placeholders {} instead of {name}']);
  });
});

describe('label in name (WCAG 2.5.3)', () => {
  // Buttons whose visible text is the first key and whose accessible name is the second:
  // in every language the name must contain the visible text.
  const pairs: [string, string, string][] = [
    ['admin', 'Edit', 'Edit {name}'],
    ['admin', 'Edit', 'Edit {url}'],
    ['admin', 'Edit', 'Edit {username}'],
    ['admin', 'Delete', 'Delete {name}'],
    ['admin', 'Delete', 'Delete {url}'],
    ['admin', 'Delete', 'Delete {username}'],
    ['admin', 'Reset password', 'Reset password of {username}'],
    ['admin', 'Rename', 'Rename {name}'],
    ['admin', 'Remove', 'Remove {name}'],
    ['admin', 'Send test event', 'Send test event to {url}'],
    ['admin', 'New secret', 'New secret for {url}'],
  ];
  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s', (lang) => {
    const bad = pairs.filter(([part, visible, name]) => {
      const c = load(part)[lang] as Record<string, string>;
      return !c[name]!.toLocaleLowerCase(lang).includes(c[visible]!.toLocaleLowerCase(lang));
    });
    expect(bad).toEqual([]);
  });
});

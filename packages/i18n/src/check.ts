/**
 * The catalogue check (docs/translating.md): every language has every key of
 * English and no other, plural messages have exactly the plural categories
 * `Intl.PluralRules` knows for the language, no placeholder is missing or
 * extra, nothing is empty, and no text is left the same as English unless the
 * key is listed in that language's `$identical`.
 */
import type { Catalogue, PluralForms } from './index.js';

const placeholders = (s: string): string[] => [...new Set((s.match(/\{\w+\}/g) ?? []).map((p) => p.slice(1, -1)))].sort();
const isPlural = (v: unknown): v is PluralForms => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Problems of one part's catalogues, one line each (empty: all good). `catalogues.en` is the reference. */
export function checkCatalogues(part: string, catalogues: Record<string, Catalogue>, base = 'en'): string[] {
  const problems: string[] = [];
  const ref = catalogues[base];
  if (!ref) return [`${part}: no ${base} catalogue`];
  const keys = Object.keys(ref).filter((k) => !k.startsWith('$'));
  for (const [lang, cat] of Object.entries(catalogues)) {
    const where = (k: string) => `${part}/${lang}.json ${k}`;
    const cats = new Intl.PluralRules(lang).resolvedOptions().pluralCategories.slice().sort();
    for (const k of Object.keys(cat)) {
      if (k.startsWith('$')) continue;
      if (!(k in ref)) problems.push(`${where(k)}: not in ${base} (unused key)`);
    }
    const identical = new Set(cat.$identical ?? []);
    for (const k of identical) if (!(k in ref)) problems.push(`${where('$identical')}: lists ${k}, which is not a key`);
    for (const k of keys) {
      const want = ref[k];
      const got = cat[k];
      if (got === undefined) {
        problems.push(`${where(k)}: missing`);
        continue;
      }
      if (typeof want === 'string') {
        if (typeof got !== 'string') {
          problems.push(`${where(k)}: must be a string`);
          continue;
        }
        if (!got.trim()) problems.push(`${where(k)}: empty`);
        const p = placeholders(got);
        const q = placeholders(want);
        if (!same(p, q)) problems.push(`${where(k)}: placeholders {${p.join('}, {')}} instead of {${q.join('}, {')}}`);
        if (lang !== base && got === want && !identical.has(k)) problems.push(`${where(k)}: same as ${base} ("${got}"); translate it, or list it in $identical`);
        continue;
      }
      if (!isPlural(want)) continue;
      if (!isPlural(got)) {
        problems.push(`${where(k)}: must be plural forms {${cats.join(', ')}}`);
        continue;
      }
      const forms = Object.keys(got).sort();
      if (!same(forms, cats)) problems.push(`${where(k)}: plural forms {${forms.join(', ')}} instead of {${cats.join(', ')}} (Intl.PluralRules)`);
      const q = placeholders(Object.values(want).join(' '));
      for (const [form, s] of Object.entries(got)) {
        if (typeof s !== 'string' || !s.trim()) {
          problems.push(`${where(k)}.${form}: empty`);
          continue;
        }
        const p = placeholders(s);
        const extra = p.filter((x) => !q.includes(x));
        // A form may leave out the number ("one message"); every other placeholder must be there.
        const missing = q.filter((x) => !p.includes(x) && (x !== 'count' || form === 'other'));
        if (extra.length) problems.push(`${where(k)}.${form}: extra placeholders {${extra.join('}, {')}}`);
        if (missing.length) problems.push(`${where(k)}.${form}: missing placeholders {${missing.join('}, {')}}`);
      }
      if (lang !== base && got.other === want.other && !identical.has(k)) problems.push(`${where(k)}: same as ${base}; translate it, or list it in $identical`);
    }
  }
  return problems;
}

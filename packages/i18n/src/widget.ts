/**
 * The widget's catalogues, all languages (for the server, which sends the
 * chosen one in `Session.strings`, and for the admin preview). The widget
 * itself bundles only English (its fallback); see packages/widget/src/text.ts.
 */
import { DEFAULT_LANGUAGE, flatten, LANGUAGES, matchLanguage, type Catalogue, type Language, type Messages } from './index.js';
import en from '../locales/widget/en.json';
import de from '../locales/widget/de.json';
import fr from '../locales/widget/fr.json';
import it from '../locales/widget/it.json';
import es from '../locales/widget/es.json';
import nl from '../locales/widget/nl.json';
import pt from '../locales/widget/pt.json';
import pl from '../locales/widget/pl.json';
import sv from '../locales/widget/sv.json';
import tr from '../locales/widget/tr.json';
import ar from '../locales/widget/ar.json';
import he from '../locales/widget/he.json';

export const WIDGET_CATALOGUES: Record<Language, Catalogue> = { en, de, fr, it, es, nl, pt, pl, sv, tr, ar, he };

const flat = new Map<Language, Messages>();

/** The widget's strings in one language, flattened (`Session.strings`); English for an unknown one. */
export function widgetStrings(lang: string): Messages {
  const l = matchLanguage([lang], LANGUAGES, DEFAULT_LANGUAGE);
  let m = flat.get(l);
  if (!m) flat.set(l, (m = flatten(WIDGET_CATALOGUES[l])));
  return m;
}

/**
 * Where the visitor is and with what (spec 14): the page (title, linked to
 * its address), the language and the browser and device — read from the
 * User-Agent header without a library, in words an agent understands.
 */
import type { VisitorContext } from '@cw/protocol';
import { t } from '../i18n.js';

/** "Chrome on Windows", "Safari on iPhone", … or "" when unknown. */
export function browserAndDevice(ua: string | undefined): string {
  if (!ua) return '';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrome\/|Chromium\/|CriOS\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : '';
  const device = /iPhone/.test(ua)
    ? 'iPhone'
    : /iPad/.test(ua)
      ? 'iPad'
      : /Android/.test(ua)
        ? /Mobile/.test(ua)
          ? t('Android phone')
          : t('Android tablet')
        : /Windows/.test(ua)
          ? 'Windows'
          : /Mac OS X|Macintosh/.test(ua)
            ? 'Mac'
            : /CrOS/.test(ua)
              ? 'Chromebook'
              : /Linux/.test(ua)
                ? 'Linux'
                : '';
  return browser && device ? t('{browser} on {device}', { browser, device }) : browser || device;
}

/** A language tag in words, in the agent's own language ("German (Switzerland)"), else the tag. */
export function languageName(tag: string | undefined): string {
  if (!tag) return '';
  try {
    return new Intl.DisplayNames([navigator.language || 'en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** Only web addresses become links. */
function webUrl(u: string): string | null {
  try {
    const x = new URL(u);
    return x.protocol === 'http:' || x.protocol === 'https:' ? x.href : null;
  } catch {
    return null;
  }
}

/** The visitor's context as a small description list; nothing when there is none. */
export function VisitorContextView({ visitor, compact }: { visitor: VisitorContext | undefined; compact?: boolean }) {
  if (!visitor) return null;
  const page = visitor.page;
  const url = page ? webUrl(page.url) : null;
  const lang = languageName(visitor.lang);
  const ua = browserAndDevice(visitor.userAgent);
  if (!page && !lang && !ua) return null;
  return (
    <dl class={`visitor-context${compact ? ' compact' : ''}`}>
      {page && (
        <>
          <dt>{t('Page')}</dt>
          <dd>
            {url ? (
              <a href={url} target="_blank" rel="noopener noreferrer" title={url}>
                {page.title || url}
              </a>
            ) : (
              page.title || page.url
            )}
          </dd>
        </>
      )}
      {lang && (
        <>
          <dt>{t('Language')}</dt>
          <dd>{lang}</dd>
        </>
      )}
      {ua && (
        <>
          <dt>{t('Browser')}</dt>
          <dd title={visitor.userAgent}>{ua}</dd>
        </>
      )}
    </dl>
  );
}

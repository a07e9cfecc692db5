/**
 * Session.appearance → CSS custom properties (set through CSSOM, which a
 * strict CSP allows). Empty values inherit the website's font and colours;
 * a floating sidebar panel needs an opaque background, so it defaults to
 * white with dark text. Text on the primary colour is black or white,
 * whichever contrasts more (WCAG AA whatever colour the admin picks).
 */
import type { Appearance } from '@cw/protocol';

const DEFAULT_PRIMARY = '#0b5cad';

/** sRGB channels 0..255 of a #hex or rgb()/rgba() colour, or null. */
export function parseColor(c: string): [number, number, number] | null {
  const s = c.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,4})$/.exec(s);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1]![i]! + m![1]![i]!, 16)) as [number, number, number];
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/.exec(s);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1]!.slice(i, i + 2), 16)) as [number, number, number];
  m = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  const named: Record<string, [number, number, number]> = { white: [255, 255, 255], black: [0, 0, 0] };
  return named[s] ?? null;
}

/** WCAG relative luminance. */
export function luminance([r, g, b]: [number, number, number]): number {
  const f = (v: number) => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

/** Black or white, whichever reads better on `bg`. */
export function readableOn(bg: string): string {
  const rgb = parseColor(bg);
  if (!rgb) return '#fff';
  const l = luminance(rgb);
  return (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.05) ? '#fff' : '#000';
}

/** The custom properties for one widget. */
export function cssVars(a: Appearance | undefined, type: 'sidebar' | 'cards'): Record<string, string> {
  // A colour the widget cannot read (stored before the server checked them) is ignored, never let through to CSS.
  const raw = a?.colors ?? {};
  const ok = (v: string | undefined) => (v && parseColor(v) ? v : '');
  const c = { primary: ok(raw.primary), background: ok(raw.background), text: ok(raw.text) };
  const primary = c.primary || DEFAULT_PRIMARY;
  const v: Record<string, string> = {
    '--cw-primary': primary,
    '--cw-on-primary': readableOn(primary),
    '--cw-focus': primary,
    '--cw-border': 'rgba(128,128,128,.4)',
    '--cw-border-strong': '#767676',
  };
  const bg = c.background || (type === 'sidebar' ? '#ffffff' : '');
  const text = c.text || (type === 'sidebar' ? (bg && readableOn(bg) === '#000' ? '#1a1a1a' : '#fafafa') : '');
  if (bg) v['--cw-bg'] = bg;
  if (text) v['--cw-text-solid'] = text;
  // Links take the primary colour only where it is known to be readable (AA 4.5:1); else the text colour.
  if (bg && parseColor(bg) && parseColor(primary)) {
    const lb = luminance(parseColor(bg)!);
    const lp = luminance(parseColor(primary)!);
    if ((Math.max(lb, lp) + 0.05) / (Math.min(lb, lp) + 0.05) >= 4.5) v['--cw-link'] = primary;
  }
  if (a?.fontFamily) v['--cw-font'] = a.fontFamily;
  if (a?.fontSize) v['--cw-size'] = /^\d+(\.\d+)?$/.test(a.fontSize) ? `${a.fontSize}px` : a.fontSize;
  const m = a?.margin ?? {};
  for (const [k, side] of [['--cw-mt', m.top], ['--cw-mr', m.right], ['--cw-mb', m.bottom], ['--cw-ml', m.left]] as const) if (side) v[k] = `${side}px`;
  if (typeof a?.zIndex === 'number') v['--cw-z'] = String(a.zIndex);
  return v;
}

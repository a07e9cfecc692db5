/** Browser-side helpers for the widget's end-to-end tests. */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

const AXE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../node_modules/axe-core/axe.min.js');

/** Collects console errors and page errors (a clean widget produces none). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/**
 * Runs axe-core (WCAG 2.0–2.2 A/AA rules) on the page, shadow roots
 * included, limited to the widget elements; returns the violations.
 */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string | null; help: string; nodes: string[] }[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    // evaluate (not a <script> tag) so a page with a strict CSP can still be scanned.
    await page.evaluate(fs.readFileSync(AXE, 'utf8'));
  }
  return page.evaluate(async () => {
    // Colours measured mid slide-in (opacity transition) are blends; scan the settled state.
    const settle = (root: Document | ShadowRoot) => root.getAnimations().map((a) => a.finished.catch(() => undefined));
    await Promise.all([...settle(document), ...[...document.querySelectorAll('contact-widget')].flatMap((el) => (el.shadowRoot ? settle(el.shadowRoot) : []))]);
    const axe = (window as any).axe;
    const r = await axe.run(
      { include: [['contact-widget']] },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] },
    );
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => `${JSON.stringify(n.target)} ${n.failureSummary}`) }));
  });
}

/**
 * Sums inbound-rtp bytesReceived per kind. `who` is a widget selector (its
 * RTCPeerConnection comes from the documented test hook, the element's
 * `Symbol.for('contact-widget.peer')` getter) or 'agent' (the test agent page).
 */
export async function inboundBytes(page: Page, who: string): Promise<{ audio: number; video: number }> {
  return page.evaluate(async (sel) => {
    const pc: RTCPeerConnection | null =
      sel === 'agent' ? (window as any).agent?.pc ?? null : ((document.querySelector(sel) as any)?.[Symbol.for('contact-widget.peer')] ?? null);
    const out = { audio: 0, video: 0 };
    if (!pc) return out;
    const stats = await pc.getStats();
    stats.forEach((s: any) => {
      if (s.type === 'inbound-rtp' && (s.kind === 'audio' || s.kind === 'video')) out[s.kind as 'audio' | 'video'] += s.bytesReceived ?? 0;
    });
    return out;
  }, who);
}

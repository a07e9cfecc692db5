/** axe-core scans of the agent console (WCAG 2.x A/AA), run through evaluate so the strict CSP does not block them. */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

const AXE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../node_modules/axe-core/axe.min.js');

/** Returns the violations as readable lines (empty when the page is clean). */
export async function consoleA11y(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(fs.readFileSync(AXE, 'utf8'));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: any[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n: any) => JSON.stringify(n.target)).join(', ')}`);
  });
}

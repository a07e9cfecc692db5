/**
 * Live regions as Chromium's accessibility tree has them (CDP
 * Accessibility.getFullAXTree, shadow roots included): every node whose
 * `live` property is not "off", with its role, politeness, `relevant` and
 * its text as a screen reader would read it (the names of its static text).
 */
import type { Page } from 'playwright-core';

export interface LiveRegion {
  role: string;
  live: string;
  relevant: string;
  text: string;
}

interface AXNode {
  nodeId: string;
  ignored?: boolean;
  role?: { value?: string };
  name?: { value?: string };
  properties?: { name: string; value: { value?: unknown } }[];
  childIds?: string[];
  parentId?: string;
}

export async function liveRegions(page: Page): Promise<LiveRegion[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] };
    const byId = new Map(nodes.map((n) => [n.nodeId, n]));
    const prop = (n: AXNode, name: string) => n.properties?.find((p) => p.name === name)?.value.value;
    const text = (n: AXNode): string => {
      if (n.role?.value === 'StaticText') return String(n.name?.value ?? '');
      return (n.childIds ?? []).map((id) => byId.get(id)).filter((c): c is AXNode => !!c).map(text).join('');
    };
    return nodes
      .filter((n) => prop(n, 'live') !== undefined && prop(n, 'live') !== 'off' && prop(n, 'root') === undefined)
      .filter((n) => {
        // Only the region's root: a node whose parent is not itself in the same live region.
        const parent = n.parentId ? byId.get(n.parentId) : undefined;
        return !parent || prop(parent, 'live') === undefined || prop(parent, 'live') === 'off';
      })
      .map((n) => ({ role: String(n.role?.value ?? ''), live: String(prop(n, 'live')), relevant: String(prop(n, 'relevant') ?? ''), text: text(n).replace(/\s+/g, ' ').trim() }));
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** The polite live regions' texts. */
export async function politeTexts(page: Page): Promise<string[]> {
  return (await liveRegions(page)).filter((r) => r.live === 'polite').map((r) => r.text);
}

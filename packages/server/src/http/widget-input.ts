/**
 * From a POST/PUT widget body (already checked against WidgetInput by the
 * route) to the record to store: defaults, the rules the schema cannot
 * express (one entry per sipId, a flag for "boolean", web links, flags that
 * exist), and picture re-encoding.
 */
import type { WidgetAgent, WidgetInput } from '@cw/protocol';
import type { Storage, WidgetRecord } from '../storage/types.js';
import { normalizePicture, PictureError } from '../pictures.js';
import { invalid } from './errors.js';

type Tx = Omit<Storage, 'transaction' | 'close' | 'ping'>;
export type WidgetData = Omit<WidgetRecord, 'uuid' | 'createdAt' | 'updatedAt'>;

/** Fills defaults and applies the rules beyond the schema; pictures are re-encoded here (outside any transaction: it is slow). */
export async function widgetFromBody(w: WidgetInput): Promise<WidgetData> {
  const agents: WidgetAgent[] = [];
  const input = w.agents ?? [];
  const seen = new Set<string>();
  for (let i = 0; i < input.length; i++) {
    const a = input[i]!;
    const at = `agents[${i}]`;
    // Visitors address agents by sipId (Info.id): one entry per sipId.
    if (seen.has(a.sipId)) throw invalid(`${at}.sipId`, `${at}.sipId "${a.sipId}" is already on this widget`);
    seen.add(a.sipId);
    if (a.availability === 'boolean' && (a.flag === undefined || a.flag === null || a.flag === ''))
      throw invalid(`${at}.flag`, `${at}.flag must name a flag when availability is "boolean"`);
    // The link is shown to visitors as a link: only web addresses, never javascript: and the like.
    if (a.link && !/^https?:\/\/[^\s]+$/i.test(a.link)) throw invalid(`${at}.link`, `${at}.link must be an http:// or https:// address`);
    let picture = '';
    if (a.picture) {
      try {
        picture = await normalizePicture(a.picture);
      } catch (err) {
        if (err instanceof PictureError) throw invalid(`${at}.picture`, `${at}.picture ${err.message}`);
        throw err;
      }
    }
    agents.push({
      sipId: a.sipId,
      displayName: a.displayName ?? '',
      department: a.department ?? '',
      phone: a.phone ?? '',
      email: a.email ?? '',
      picture,
      media: a.media,
      availability: a.availability,
      flag: a.flag === undefined || a.flag === '' ? null : a.flag,
      link: a.link ?? '',
    });
  }
  return {
    type: w.type,
    name: w.name,
    notes: w.notes ?? '',
    lang: w.lang ?? 'en',
    contact: w.contact ?? {},
    appearance: w.appearance ?? {},
    allowedOrigins: w.allowedOrigins ?? [],
    agents,
  };
}

/** Inside the write transaction: every named flag must exist. */
export async function checkFlags(tx: Tx, w: WidgetData): Promise<void> {
  const cache = new Map<string, boolean>();
  for (let i = 0; i < w.agents.length; i++) {
    const flag = w.agents[i]!.flag;
    if (!flag) continue;
    if (!cache.has(flag)) cache.set(flag, !!(await tx.flags.get(flag)));
    if (!cache.get(flag)) throw invalid(`agents[${i}].flag`, `agents[${i}].flag names no existing flag`);
  }
}

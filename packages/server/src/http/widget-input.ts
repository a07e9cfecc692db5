/**
 * From a POST/PUT widget body (already checked against WidgetInput by the
 * route) to the record to store: defaults, the rules the schema cannot
 * express (one entry per sipId, a flag for "boolean", web links, flags that
 * exist), and picture re-encoding.
 */
import type { WidgetAgent, WidgetInput } from '@cw/protocol';
import type { Storage, WidgetRecord } from '../storage/types.js';
import { normalizePicture, InvalidPictureError } from '../pictures.js';
import { invalid } from './errors.js';

type Tx = Omit<Storage, 'transaction' | 'close' | 'ping'>;
export type WidgetData = Omit<WidgetRecord, 'uuid' | 'createdAt' | 'updatedAt'>;

/** Fills defaults and applies the rules beyond the schema; pictures are re-encoded here (outside any transaction: it is slow). */
export async function widgetFromBody(body: WidgetInput): Promise<WidgetData> {
  const agents: WidgetAgent[] = [];
  const input = body.agents ?? [];
  const seen = new Set<string>();
  for (let i = 0; i < input.length; i++) {
    const agent = input[i]!;
    const at = `agents[${i}]`;
    // Visitors address agents by sipId (Info.id): one entry per sipId.
    if (seen.has(agent.sipId)) throw invalid(`${at}.sipId`, `${at}.sipId "${agent.sipId}" is already on this widget`);
    seen.add(agent.sipId);
    if (agent.availability === 'boolean' && (agent.flag === undefined || agent.flag === null || agent.flag === ''))
      throw invalid(`${at}.flag`, `${at}.flag must name agent flag when availability is "boolean"`);
    // The link is shown to visitors as a link: only web addresses, never javascript: and the like.
    if (agent.link && !/^https?:\/\/[^\s]+$/i.test(agent.link)) throw invalid(`${at}.link`, `${at}.link must be an http:// or https:// address`);
    let picture = '';
    if (agent.picture) {
      try {
        picture = await normalizePicture(agent.picture);
      } catch (err) {
        if (err instanceof InvalidPictureError) throw invalid(`${at}.picture`, `${at}.picture ${err.message}`);
        throw err;
      }
    }
    agents.push({
      sipId: agent.sipId,
      displayName: agent.displayName ?? '',
      department: agent.department ?? '',
      phone: agent.phone ?? '',
      email: agent.email ?? '',
      picture,
      media: agent.media,
      availability: agent.availability,
      flag: agent.flag === undefined || agent.flag === '' ? null : agent.flag,
      link: agent.link ?? '',
      address: agent.address?.trim() ?? '',
    });
  }
  return {
    type: body.type,
    name: body.name,
    notes: body.notes ?? '',
    lang: body.lang ?? 'en',
    contact: body.contact ?? {},
    appearance: body.appearance ?? {},
    allowedOrigins: body.allowedOrigins ?? [],
    texts: { title: body.texts?.title?.trim() ?? '', greeting: body.texts?.greeting?.trim() ?? '' },
    agents,
    scheduleId: body.scheduleId || null,
    offline: { enabled: body.offline?.enabled ?? true, consentText: body.offline?.consentText ?? '', notify: body.offline?.notify ?? [] },
  };
}

/** Inside the write transaction: the schedule the widget follows must exist. */
export async function checkSchedule(tx: Tx, body: WidgetData): Promise<void> {
  if (body.scheduleId && !(await tx.schedules.get(body.scheduleId))) throw invalid('scheduleId', 'scheduleId names no existing schedule');
}

/** Inside the write transaction: every named flag must exist. */
export async function checkFlags(tx: Tx, body: WidgetData): Promise<void> {
  const cache = new Map<string, boolean>();
  for (let i = 0; i < body.agents.length; i++) {
    const flag = body.agents[i]!.flag;
    if (!flag) continue;
    if (!cache.has(flag)) cache.set(flag, !!(await tx.flags.get(flag)));
    if (!cache.get(flag)) throw invalid(`agents[${i}].flag`, `agents[${i}].flag names no existing flag`);
  }
}

/** The agent entry a visitor addresses on a widget, and the media it may be reached by. */
import type { Media, WidgetAgent } from '@cw/protocol';
import type { WidgetRecord } from '../storage/types.js';
import { WireError } from './wire-error.js';

/** Looks up the agent `sipId` on widget `uuid`: unknown-widget or unknown-agent when there is none. */
export async function findWidgetAgent(
  widgets: { widget(uuid: string): Promise<WidgetRecord | undefined> },
  uuid: string,
  sipId: string,
): Promise<{ widget: WidgetRecord; entry: WidgetAgent }> {
  const widget = await widgets.widget(uuid);
  if (!widget) throw new WireError('unknown-widget', 'the widget was deleted');
  const entry = widget.agents.find((a) => a.sipId === sipId);
  if (!entry) throw new WireError('unknown-agent', `${JSON.stringify(sipId.slice(0, 100))} is not an agent of this widget`);
  return { widget, entry };
}

/** media-not-allowed unless the entry offers `media`. */
export function needMedia(entry: WidgetAgent, media: Media): void {
  if (!entry.media.includes(media)) throw new WireError('media-not-allowed', `${entry.sipId} cannot be reached by ${media}`);
}

/** FanOut: widget events reach every visitor in publish order, in time slices, newer Infos replacing unstarted ones. */
import { describe, expect, it } from 'vitest';
import type { InfoMsg } from '@cw/protocol';
import { FanOut, type WidgetListener } from '../src/realtime/fan-out.js';
import type { WidgetEvent } from '../src/domain/outbox.js';

const info = (id: string, presence: InfoMsg['presence']): WidgetEvent => {
  const msg = { mt: 'Info', id, dn: id, presence, media: ['chat'], order: 0 } as unknown as InfoMsg;
  return { k: 'info', msg, json: JSON.stringify(msg) };
};

/** A listener that records what it got; `spinMs` makes it slow, so that a slice ends after it. */
function recorder(spinMs = 0): WidgetListener & { got: string[] } {
  const got: string[] = [];
  return {
    got,
    widgetEvent(ev) {
      if (spinMs) {
        const until = performance.now() + spinMs;
        while (performance.now() < until);
      }
      got.push(ev.k === 'info' ? `${ev.msg.id}:${ev.msg.presence}` : ev.k);
    },
  };
}

describe('FanOut', () => {
  it('delivers events in publish order to every listener, across slices', async () => {
    const slow = recorder(3);
    const all = [slow, ...Array.from({ length: 3000 }, () => recorder())];
    const f = new FanOut(new Set(all));
    f.push(info('a', 'online'));
    // The slow first listener used up the slice: most listeners are still waiting.
    expect(all.at(-1)!.got).toEqual([]);
    f.push(info('b', 'busy'));
    f.push({ k: 'deleted' });
    await expect.poll(() => all.at(-1)!.got.length).toBe(3);
    for (const l of all) expect(l.got).toEqual(['a:online', 'b:busy', 'deleted']);
  });

  it('replaces a queued Info of the same agent that has not started, not one behind a reload', async () => {
    const all = [recorder(3), ...Array.from({ length: 500 }, () => recorder())];
    const f = new FanOut(new Set(all));
    f.push(info('a', 'online')); // started (slice ended after the slow listener)
    f.push(info('a', 'busy')); // queued
    f.push(info('b', 'online'));
    f.push(info('a', 'offline')); // replaces a:busy (only an Info of b in between)
    await expect.poll(() => all.at(-1)!.got.length).toBe(3);
    for (const l of all) expect(l.got).toEqual(['a:online', 'a:offline', 'b:online']);

    const more = [recorder(3), ...Array.from({ length: 500 }, () => recorder())];
    const g = new FanOut(new Set(more));
    g.push(info('x', 'online'));
    g.push(info('a', 'busy'));
    g.push({ k: 'deleted' });
    g.push(info('a', 'offline')); // a reload/deletion in between: kept as its own event
    await expect.poll(() => more.at(-1)!.got.length).toBe(4);
    expect(more[1]!.got).toEqual(['x:online', 'a:busy', 'deleted', 'a:offline']);
  });

  it('goes on past a listener that throws, and stops when told', async () => {
    const bad: WidgetListener = {
      widgetEvent() {
        throw new Error('broken socket');
      },
    };
    const ok = recorder();
    const f = new FanOut(new Set([bad, ok]));
    f.push(info('a', 'online'));
    expect(ok.got).toEqual(['a:online']);
    f.stop();
    f.push(info('a', 'busy'));
    expect(ok.got).toEqual(['a:online']);
  });
});

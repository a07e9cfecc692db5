/** WidgetHub: a presence change reaches the widget's listeners within the same turn; an unknown sipId still gets a full recompute. */
import { describe, expect, it } from 'vitest';
import type { VisiblePresence, WidgetAgent } from '@cw/protocol';
import { MemoryBus } from '../src/bus/memory.js';
import type { Catalog } from '../src/domain/widget-directory-cache.js';
import type { DirectoryTarget } from '../src/presence/directory.js';
import type { WidgetEvent } from '../src/domain/outbox.js';
import { WidgetHub } from '../src/realtime/widget-hub.js';
import type { UserRecord, WidgetRecord } from '../src/storage/types.js';
import { silent } from './realtime-fakes.js';

const user = (id: string): UserRecord =>
  ({ id, username: id, displayName: id.toUpperCase(), sipId: id, email: '', phone: '', department: '', roles: ['agent'], passwordHash: '', createdAt: 0 }) as UserRecord;
const agent = (sipId: string, availability: WidgetAgent['availability'] = 'presence'): WidgetAgent =>
  ({ sipId, availability, media: ['chat'] }) as unknown as WidgetAgent;

function setup(dir: Map<string, DirectoryTarget>) {
  const widget = { uuid: 'w1', contact: {}, agents: [agent('ann'), agent('bob'), agent('cat', 'always'), agent('dan')] } as unknown as WidgetRecord;
  const catalog: Catalog = {
    widget: async () => widget,
    directory: async (sipId) => dir.get(sipId) ?? { kind: 'none' },
    flag: async () => undefined,
    user: async () => undefined,
  };
  const visible = new Map<string, VisiblePresence>();
  const hub = new WidgetHub({ catalog, presence: { visible: (id) => visible.get(id) ?? 'offline' }, bus: new MemoryBus(), logger: silent });
  const got: string[] = [];
  hub.watch('w1', { widgetEvent: (ev: WidgetEvent) => ev.k === 'info' && got.push(`${ev.msg.id}:${ev.msg.presence}`) });
  return { hub, widget, visible, got };
}

describe('WidgetHub', () => {
  it('publishes the changed Info within the same turn, only for presence-driven entries that changed', async () => {
    const dir = new Map<string, DirectoryTarget>([
      ['ann', { kind: 'user', user: user('ann') }],
      ['bob', { kind: 'user', user: user('bob') }],
      ['cat', { kind: 'user', user: user('ann') }],
      ['dan', { kind: 'group', group: { id: 'g', sipId: 'dan', name: 'Dan group', members: ['ann', 'bob'] } as never, members: [user('ann'), user('bob')] }],
    ]);
    const { hub, widget, visible, got } = setup(dir);
    const before = await hub.current(widget);
    expect(before.map((e) => e.msg.presence)).toEqual(['offline', 'offline', 'online', 'offline']);
    visible.set('ann', 'online');
    void hub.handlePresence('ann');
    // No await in between: the fan-out already started.
    expect(got).toEqual(['ann:online', 'dan:online']);
    visible.set('bob', 'busy');
    void hub.handlePresence('bob');
    expect(got).toEqual(['ann:online', 'dan:online', 'bob:busy']); // dan stays online (ann is)
    expect((await hub.current(widget)).map((e) => e.msg.presence)).toEqual(['online', 'busy', 'online', 'online']);
  });

  it('recomputes from the catalog when an agent was not in the directory', async () => {
    const dir = new Map<string, DirectoryTarget>([['ann', { kind: 'user', user: user('ann') }]]);
    const { hub, widget, visible, got } = setup(dir);
    await hub.current(widget);
    dir.set('bob', { kind: 'user', user: user('bob') }); // created since, without a directory event
    visible.set('ann', 'online');
    visible.set('bob', 'online');
    await hub.handlePresence('ann');
    expect(got).toEqual(['ann:online', 'bob:online']);
  });
});

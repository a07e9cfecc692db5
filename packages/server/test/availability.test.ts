/** Availability resolver (spec 4): modes, groups, flags, whom to ring. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisiblePresence, WidgetAgent } from '@cw/protocol';
import { resolveAgent } from '../src/presence/availability.js';
import type { Storage, UserRecord } from '../src/storage/types.js';
import { WidgetDirectoryCache, storageCatalog, type Catalog } from '../src/domain/widget-directory-cache.js';
import { FakeClock, memoryStorage } from './realtime-fakes.js';

let storage: Storage;
let cat: Catalog;
const users: Record<string, UserRecord> = {};
const live = new Map<string, VisiblePresence>();
const view = { visible: (id: string) => live.get(id) ?? 'offline' };
const e = (sipId: string, o: Partial<WidgetAgent> = {}): WidgetAgent => ({ sipId, media: ['voice'], availability: 'presence', ...o });

beforeAll(async () => {
  storage = await memoryStorage();
  cat = storageCatalog(storage);
  for (const n of ['ann', 'bob', 'cid']) users[n] = await storage.users.create({ username: n, displayName: n, sipId: n, email: '', phone: '', department: '', roles: ['agent'], passwordHash: 'x' });
  await storage.groups.create({ name: 'Team', sipId: 'team', members: [users.ann!.id, users.bob!.id, users.cid!.id] });
});
afterAll(async () => {
  await storage.close();
});

const set = (ann: VisiblePresence, bob: VisiblePresence, cid: VisiblePresence) => {
  live.set(users.ann!.id, ann);
  live.set(users.bob!.id, bob);
  live.set(users.cid!.id, cid);
};

describe('availability', () => {
  it('presence: follows the user', async () => {
    set('busy', 'offline', 'offline');
    expect(await resolveAgent(cat, view, e('ann'))).toMatchObject({ visible: 'busy', ringUserIds: [] });
    set('online', 'offline', 'offline');
    expect(await resolveAgent(cat, view, e('ann'))).toMatchObject({ visible: 'online', ringUserIds: [users.ann!.id] });
  });

  it('groups: online while a member is online and free, busy while all online ones are busy, offline when none is', async () => {
    set('busy', 'online', 'offline');
    expect(await resolveAgent(cat, view, e('team'))).toMatchObject({ visible: 'online', ringUserIds: [users.bob!.id] });
    set('busy', 'busy', 'offline');
    expect(await resolveAgent(cat, view, e('team'))).toMatchObject({ visible: 'busy', ringUserIds: [] });
    set('offline', 'offline', 'offline');
    expect(await resolveAgent(cat, view, e('team'))).toMatchObject({ visible: 'offline', ringUserIds: [] });
  });

  it('always: online, rings the user or the online members whatever they are doing', async () => {
    set('offline', 'busy', 'online');
    expect(await resolveAgent(cat, view, e('ann', { availability: 'always' }))).toMatchObject({ visible: 'online', ringUserIds: [users.ann!.id] });
    expect(await resolveAgent(cat, view, e('team', { availability: 'always' }))).toMatchObject({ visible: 'online', ringUserIds: [users.bob!.id, users.cid!.id] });
  });

  it('boolean: follows the flag (by id or name); inactive: offline', async () => {
    const f = await storage.flags.create({ name: 'open', value: false });
    set('online', 'online', 'online');
    expect((await resolveAgent(cat, view, e('ann', { availability: 'boolean', flag: f.id }))).visible).toBe('offline');
    await storage.flags.update(f.id, { value: true });
    expect((await resolveAgent(cat, view, e('ann', { availability: 'boolean', flag: f.id }))).visible).toBe('online');
    expect((await resolveAgent(cat, view, e('ann', { availability: 'boolean', flag: 'open' }))).visible).toBe('online');
    expect((await resolveAgent(cat, view, e('ann', { availability: 'boolean', flag: null }))).visible).toBe('offline');
    expect(await resolveAgent(cat, view, e('ann', { availability: 'inactive' }))).toMatchObject({ visible: 'offline', ringUserIds: [] });
  });

  it('an entry with no directory user is offline', async () => {
    expect(await resolveAgent(cat, view, e('ghost'))).toMatchObject({ visible: 'offline', ringUserIds: [], target: { kind: 'none' } });
  });
});

describe('cached catalog', () => {
  it('serves from memory until a DomainEvent makes an entry stale', async () => {
    const clock = new FakeClock();
    const c = new WidgetDirectoryCache(storage, clock);
    const w = await storage.widgets.create({ type: 'cards', name: 'One', notes: '', lang: 'en', contact: {}, appearance: {}, allowedOrigins: [], agents: [] });
    expect((await c.widget(w.uuid))!.name).toBe('One');
    await storage.widgets.replace(w.uuid, { ...w, name: 'Two' });
    expect((await c.widget(w.uuid))!.name).toBe('One');
    c.handleDomainEvent({ t: 'widget-updated', uuid: w.uuid });
    expect((await c.widget(w.uuid))!.name).toBe('Two');
    expect(await c.widget('unknown')).toBeUndefined();

    expect((await c.directory('ann')).kind).toBe('user');
    await storage.users.update(users.ann!.id, { displayName: 'Annie' });
    expect(((await c.directory('ann')) as { user: UserRecord }).user.displayName).toBe('ann');
    c.handleDomainEvent({ t: 'directory-changed' });
    expect(((await c.directory('ann')) as { user: UserRecord }).user.displayName).toBe('Annie');

    // A sipId that does not exist yet is believed missing only briefly.
    expect((await c.directory('dora')).kind).toBe('none');
    await storage.users.create({ username: 'dora', displayName: 'dora', sipId: 'dora', email: '', phone: '', department: '', roles: ['agent'], passwordHash: 'x' });
    expect((await c.directory('dora')).kind).toBe('none');
    clock.advance(5000);
    expect((await c.directory('dora')).kind).toBe('user');

    const f = await storage.flags.create({ name: 'late', value: true });
    expect(await c.flag(f.id)).toMatchObject({ value: true });
    await storage.flags.update(f.id, { value: false });
    c.handleDomainEvent({ t: 'flag-changed', id: f.id, value: false });
    expect(await c.flag('late')).toMatchObject({ value: false });
  });
});

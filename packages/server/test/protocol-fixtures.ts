/**
 * Fixtures for the protocol tests: users with API tokens, widgets, and
 * connected visitor / agent clients over real WebSockets.
 */
import crypto from 'node:crypto';
import { WsClient, type Msg, type TestServer } from '@cw/testkit';
import type { WidgetAgent } from '@cw/protocol';
import { sha256 } from '../src/auth/credentials.js';
import type { UserRecord, WidgetRecord } from '../src/storage/types.js';

/**
 * Where the protocol tests keep data: SQLite by default; set
 * PROTOCOL_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3Dschema)
 * to run the same sessions against PostgreSQL.
 */
export function dbOptions(): { databaseUrl?: string } {
  const url = process.env.PROTOCOL_DATABASE_URL;
  return url ? { databaseUrl: url } : {};
}

export interface AgentUser {
  user: UserRecord;
  token: string;
}

/** Creates a user (agent role by default) with an API token. */
export async function makeUser(
  s: TestServer,
  o: { sipId: string; displayName?: string; roles?: ('admin' | 'agent')[]; department?: string; email?: string; phone?: string },
): Promise<AgentUser> {
  const user = await s.storage.users.create({
    username: o.sipId,
    displayName: o.displayName ?? o.sipId[0]!.toUpperCase() + o.sipId.slice(1),
    sipId: o.sipId,
    email: o.email ?? '',
    phone: o.phone ?? '',
    department: o.department ?? '',
    roles: o.roles ?? ['agent'],
    passwordHash: 'x',
  });
  const token = crypto.randomBytes(24).toString('base64url');
  await s.storage.apiTokens.create({ userId: user.id, name: 'test', tokenHash: sha256(token) });
  return { user, token };
}

/** An agent entry with every medium and live presence, unless overridden. */
export function entry(sipId: string, o: Partial<WidgetAgent> = {}): WidgetAgent {
  return { sipId, media: ['voice', 'video', 'chat', 'email'], availability: 'presence', ...o };
}

/** Creates a widget directly in storage. */
export async function makeWidget(s: TestServer, agents: WidgetAgent[], o: Partial<WidgetRecord> = {}): Promise<WidgetRecord> {
  return s.storage.widgets.create({
    type: 'sidebar',
    name: 'Sales',
    notes: '',
    lang: 'en',
    contact: { company: 'Example Ltd' },
    appearance: {},
    allowedOrigins: [],
    agents,
    ...o,
  });
}

/** Opens /ws/widget (optionally with an Origin) without sending anything. */
export function openVisitor(s: TestServer, origin?: string): Promise<WsClient> {
  return WsClient.connect(`${s.wsUrl}/ws/widget`, origin ? { headers: { origin } } : {});
}

/** Opens /ws/widget, sends Start and waits for the loading to finish (IceConfig). */
export async function visitor(
  s: TestServer,
  uuid: string,
  o: { session?: string; lang?: string; origin?: string } = {},
): Promise<{ c: WsClient; session: Msg; infos: Msg[] }> {
  const c = await openVisitor(s, o.origin);
  c.send({ mt: 'Start', uuid, ...(o.session ? { session: o.session } : {}), ...(o.lang ? { lang: o.lang } : {}) });
  const session = await c.next('Session');
  const infos: Msg[] = [];
  for (;;) {
    const m = await c.next(() => true);
    if (m.mt === 'IceConfig') break;
    infos.push(m);
  }
  return { c, session, infos };
}

/** Opens /ws/agent with a token and waits for Welcome (and IceConfig). */
export async function agent(s: TestServer, token: string): Promise<{ c: WsClient; welcome: Msg }> {
  const c = await WsClient.connect(`${s.wsUrl}/ws/agent?token=${encodeURIComponent(token)}`);
  const welcome = await c.next('Welcome');
  await c.next('IceConfig');
  return { c, welcome };
}

/** Sets presence from a console and waits until that console sees it. */
export async function setPresence(c: WsClient, presence: 'online' | 'away' | 'busy' | 'offline'): Promise<void> {
  c.send({ mt: 'SetPresence', presence });
  await c.next((m) => m.mt === 'Presence' && m.presence === presence);
}

/** Connects an agent console with the user's token and sets it online. */
export async function online(s: TestServer, u: AgentUser): Promise<WsClient> {
  const { c } = await agent(s, u.token);
  await setPresence(c, 'online');
  return c;
}

/** The call and chat tests' agents: atlantis, columbia, endeavour, and the group "team" of columbia and endeavour. */
export async function makeCrew(s: TestServer): Promise<{ atlantis: AgentUser; columbia: AgentUser; endeavour: AgentUser }> {
  const atlantis = await makeUser(s, { sipId: 'atlantis', displayName: 'Atlantis' });
  const columbia = await makeUser(s, { sipId: 'columbia', displayName: 'Columbia' });
  const endeavour = await makeUser(s, { sipId: 'endeavour', displayName: 'Endeavour' });
  await s.storage.groups.create({ name: 'Team', sipId: 'team', members: [columbia.user.id, endeavour.user.id] });
  return { atlantis, columbia, endeavour };
}

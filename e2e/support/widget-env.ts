/**
 * Test data for the widget's end-to-end tests, set up through the HTTP API
 * as an admin would: agents (users + tokens) and widgets, the embed code,
 * and host pages on a different origin.
 */
import { WsClient, type TestServer } from '@cw/testkit';
import type { WidgetInput } from '@cw/protocol';
import { apiAs, type Api } from './api.js';

export type { Api };

/** Signs in as the first admin and returns a JSON API caller that keeps the session cookie. */
export async function adminApi(server: TestServer): Promise<Api> {
  return apiAs(server, server.adminUsername, server.adminPassword);
}

export interface TestAgent {
  id: string;
  sipId: string;
  dn: string;
  token: string;
}

/** Signs in as `username` and creates an API token for that user. */
export async function tokenFor(server: TestServer, username: string, password: string): Promise<string> {
  const api = await apiAs(server, username, password);
  return (await api<{ token: string }>('POST', '/api/tokens', { name: 'e2e' })).token;
}

/** Connects a test agent to the agent channel with its token and sets it online. */
export async function onlineAgent(server: TestServer, token: string): Promise<WsClient> {
  const agent = await WsClient.connect(`${server.wsUrl}/ws/agent?token=${token}`);
  await agent.next('Welcome');
  agent.send({ mt: 'SetPresence', presence: 'online' });
  return agent;
}

/** An agent with a token, ready for the agent channel. */
export async function agentWithToken(server: TestServer, api: Api, sipId: string, dn: string): Promise<TestAgent> {
  const password = `pw-${sipId}-12345`;
  const user = await api<{ id: string }>('POST', '/api/users', { username: sipId, password, displayName: dn, sipId, roles: ['agent'] });
  return { id: user.id, sipId, dn, token: await tokenFor(server, sipId, password) };
}

/** A widget body with sensible defaults. */
export function widgetBody(over: Partial<WidgetInput> & { agents: WidgetInput['agents'] }): WidgetInput {
  return {
    type: 'sidebar',
    name: 'Sales',
    lang: 'en',
    contact: { company: 'Example Ltd', address: '1 Main St, Springfield', phone: '+1 555 0100', email: 'sales@example.com' },
    appearance: { position: 'right', alwaysShow: false },
    allowedOrigins: [],
    ...over,
  };
}

/** Creates a widget and returns its uuid and the embed code the admin app shows. */
export async function createWidget(api: Api, body: WidgetInput): Promise<{ uuid: string; embed: string }> {
  const w = await api<{ uuid: string }>('POST', '/api/widgets', body);
  const e = await api<{ html: string }>('GET', `/api/widgets/${w.uuid}/embed`);
  return { uuid: w.uuid, embed: e.html };
}

/** A plain customer web page that embeds the given code snippets. */
export function hostPage(title: string, snippets: string[], extraHead = '', extraBody = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${title}</title>${extraHead}</head>
<body><header><h1>${title}</h1></header><main><p>Welcome to our shop.</p>${snippets.join('\n')}</main>${extraBody}</body></html>`;
}

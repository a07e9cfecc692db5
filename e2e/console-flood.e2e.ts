/**
 * Issue 11 finding 5, the console's side: a burst of chat requests (from many
 * visitor sessions, which the server allows one each) must not bury the
 * agent's conversations. The console shows the oldest five requests and a
 * "Show all requests (N more)" button; every request stays reachable.
 */
import { describe, expect, it } from 'vitest';
import { need, WsClient } from '@cw/testkit';
import { newContext, useWorld } from './support/console-world.js';
import { openConsole } from './support/console-page.js';

const ok = (await need('chromium')) && (await need('netns', 'browser tests run inside a private network namespace'));

describe.skipIf(!ok)('agent console: a flood of chat requests', () => {
  const env = useWorld(1);

  it('shows five requests and a button for the rest', async () => {
    const { world, browser } = env;
    const agent = world.agents[0]!;
    const errors: string[] = [];
    const con = await openConsole(await newContext(browser), world, agent, 'Online', errors);
    // Eight visitors (eight sessions) ask at once, straight over the visitor channel.
    const socks: WsClient[] = [];
    for (let i = 1; i <= 8; i++) {
      const c = await WsClient.connect(`${world.server.wsUrl}/ws/widget`);
      c.send({ mt: 'Start', uuid: world.widgetUuid });
      await c.next('IceConfig');
      c.send({ mt: 'ChatStart', dest: agent.sipId, dn: `Visitor ${i}` });
      await c.next('ChatInfo');
      socks.push(c);
    }
    const chats = con.getByRole('complementary', { name: 'Chats' });
    const accept = chats.getByRole('button', { name: 'Accept chat' });
    const more = chats.getByRole('button', { name: 'Show all requests (3 more)' });
    await more.waitFor({ timeout: 15_000 });
    expect(await accept.count()).toBe(5);
    // The oldest come first.
    expect(await chats.getByText('Visitor 1', { exact: true }).count()).toBe(1);
    expect(await chats.getByText('Visitor 8', { exact: true }).count()).toBe(0);
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    await more.click();
    await expect.poll(() => accept.count()).toBe(8);
    await chats.getByRole('button', { name: 'Show fewer requests' }).click();
    await expect.poll(() => accept.count()).toBe(5);
    expect(errors).toEqual([]);
    for (const c of socks) await c.close();
  });
});

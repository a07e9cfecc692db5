// Dev aid (not a test): screenshots of the widget's states into $SHOTS_DIR.
// Run: SHOTS_DIR=/tmp/shots node --import tsx e2e/support/widget-shots.ts
import { launchChromium, startSite, startTestServer } from '@cw/testkit';
import { adminApi, agentWithToken, createWidget, hostPage, onlineAgent, widgetBody } from './widget-env.js';
import { agentPageHtml } from './widget-agent-page.js';

const dir = process.env.SHOTS_DIR ?? '/tmp/shots';
const server = await startTestServer();
const api = await adminApi(server);
const ann = await agentWithToken(server, api, 'ann', 'Ann Agent');
await agentWithToken(server, api, 'bob', 'Bob Busy');
await agentWithToken(server, api, 'olga', 'Olga Offline');
const agent = await onlineAgent(server, ann.token);
const agents = [
  { sipId: 'ann', department: 'Sales', phone: '+1 555 0101', email: 'ann@example.com', media: ['chat', 'voice', 'video', 'email'] as any, availability: 'presence' as const, link: 'https://example.com/hours' },
  { sipId: 'bob', department: 'Support', media: ['chat', 'voice'] as any, availability: 'inactive' as const },
];
const side = await createWidget(api, widgetBody({ name: 'Sales', appearance: { position: 'right', alwaysShow: true }, agents }));
const cards = await createWidget(api, widgetBody({ type: 'cards', name: 'Team', agents }));
const bob = await agentWithToken(server, api, 'carl', 'Carl Call');
const callW = await createWidget(api, widgetBody({ name: 'Call', agents: [{ sipId: 'carl', media: ['video', 'voice'], availability: 'presence' }] }));
const site = await startSite({ '/': hostPage('Shop', [side.embed, cards.embed]), '/call': hostPage('Call', [callW.embed]), '/agent': agentPageHtml(server.wsUrl, bob.token) });
const browser = await launchChromium();
for (const width of [1024, 360]) {
  const page = await browser.newPage({ viewport: { width, height: 760 }, locale: 'en-US' });
  await page.goto(site.url + '/');
  await page.getByRole('button', { name: 'Contact us' }).waitFor();
  await page.getByRole('button', { name: 'Chat with Ann Agent' }).first().waitFor();
  await page.screenshot({ path: `${dir}/${width}-collapsed.png` });
  await page.getByRole('button', { name: 'Contact us' }).click();
  await page.screenshot({ path: `${dir}/${width}-expanded.png` });
  await page.locator('.side').getByRole('button', { name: 'Chat with Ann Agent' }).click();
  await page.screenshot({ path: `${dir}/${width}-prompt.png` });
  await page.getByRole('textbox', { name: 'Your name' }).fill('Vera');
  await page.getByRole('textbox', { name: 'Your name' }).press('Enter');
  const offer = await agent.next('ChatOffer');
  agent.send({ mt: 'ChatAccept', chat: offer.chat });
  await page.getByRole('textbox', { name: 'Message' }).fill('Hello there, I have a question about the order');
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  agent.send({ mt: 'ChatMessage', chat: offer.chat, cid: 'x' + width, text: 'Sure, what is it?' });
  agent.send({ mt: 'Typing', chat: offer.chat, typing: true });
  await page.getByText('Sure, what is it?').waitFor();
  await page.screenshot({ path: `${dir}/${width}-chat.png` });
  agent.send({ mt: 'ChatEnd', chat: offer.chat });
  await page.close();
}
if (process.env.CW_NETNS === '1') {
  const ap = await browser.newPage();
  await ap.goto(site.url + '/agent');
  await ap.waitForFunction(() => (window as any).agent.state === 'online');
  const page = await browser.newPage({ viewport: { width: 1024, height: 760 }, locale: 'en-US' });
  await page.goto(site.url + '/call');
  await page.getByRole('button', { name: 'Contact us' }).click();
  await page.getByRole('button', { name: 'Video call Carl Call' }).click();
  await page.getByRole('textbox', { name: 'Your name' }).fill('Vera');
  await page.getByRole('textbox', { name: 'Your name' }).press('Enter');
  await page.getByText('Connected with Carl Call').waitFor();
  // Wait until every video in the widget shows frames, so the picture is not black.
  await page.waitForFunction(() => {
    const vids = [...document.querySelectorAll('contact-widget')].flatMap((el) => [...(el.shadowRoot?.querySelectorAll('video') ?? [])]);
    return vids.length > 0 && vids.every((v) => v.readyState >= 2 && v.currentTime > 0.5);
  });
  await page.screenshot({ path: `${dir}/call.png` });
}
await browser.close();
await agent.close();
await site.close();
await server.close();

/**
 * Issue 15, Visitor → Calls, in Chromium with three fake cameras and three
 * fake microphones: one click on "Video call Name" rings the agent (spec 7),
 * and while it rings — before the call starts — the visitor sees their own
 * camera playing and picks Microphone and Camera from the browser's lists;
 * what they pick is what the call sends (replaced on the wire, no new offer,
 * no second getUserMedia); audio and video flow both ways once the agent
 * answers; devices can be changed during the call too (the agent keeps
 * receiving video); the choice is remembered for the next call; hanging up
 * while it rings releases camera and microphone. With
 * the camera refused, the visitor is told so and offered a voice call or a
 * chat instead; the voice call has the Microphone picker. Axe-clean.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, need, startSite, startTestServer, type TestServer } from '@cw/testkit';
import { adminApi, agentWithToken, createWidget, hostPage, widgetBody } from './support/widget-env.js';
import { axeViolations, collectErrors, inboundBytes } from './support/widget-browser.js';
import { agentPageHtml } from './support/widget-agent-page.js';

const SHOTS = new URL('../test-results/ux/', import.meta.url).pathname;
async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png` });
}

const ready = (await need('chromium')) && (await need('netns', 'media tests run inside `unshare -n`'));

/** Counts getUserMedia calls and keeps the tracks they returned (on window, for the test). */
function countCaptures(): void {
  const w = window as unknown as { __gum: MediaStreamConstraints[]; __tracks: MediaStreamTrack[] };
  w.__gum = [];
  w.__tracks = [];
  const orig = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) => {
    w.__gum.push(c ?? {});
    const s = await orig(c);
    w.__tracks.push(...s.getTracks());
    return s;
  };
}
/** Labels of the captured tracks still running. */
const live = (p: Page) => p.evaluate(() => ((window as any).__tracks as MediaStreamTrack[]).filter((t) => t.readyState === 'live').map((t) => t.label).sort());

describe.skipIf(!ready)('issue 15: microphone and camera while a call rings and during it', () => {
  let server: TestServer;
  let site: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  let agentCtx: BrowserContext;
  let agentPage: Page;

  beforeAll(async () => {
    server = await startTestServer();
    const api = await adminApi(server);
    const dana = await agentWithToken(server, api, 'dana', 'Dana Devices');
    const w = await createWidget(api, widgetBody({ type: 'cards', name: 'Devices', agents: [{ sipId: 'dana', media: ['voice', 'video', 'chat'], availability: 'presence' }] }));
    site = await startSite({ '/': hostPage('Devices', [w.embed]), '/agent': agentPageHtml(server.wsUrl, dana.token) });
    // Three fake cameras; fake_device_1 is a Y16 (depth) source that WebRTC does not encode, so the tests switch between 0 and 2.
    // Chromium's fake microphones are three.
    browser = await launchChromium(['--use-fake-device-for-media-stream=device-count=3']);
    agentCtx = await browser.newContext();
    agentPage = await agentCtx.newPage();
    await agentPage.goto(site.url + '/agent');
    await agentPage.waitForFunction(() => (window as any).agent.state === 'online');
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  const incomingCalls = () => agentPage.evaluate(() => (window as any).agent.log.filter((m: any) => m.mt === 'IncomingCall').length as number);
  const agentState = (...states: string[]) => agentPage.waitForFunction((want) => want.includes((window as any).agent.state), states, { timeout: 15_000 });
  const options = (select: Locator) => select.evaluate((s: HTMLSelectElement) => [...s.options].map((o) => o.text));
  const selected = (select: Locator) => select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.text ?? '');
  /** The labels of the tracks the widget's call sends. */
  const sending = (p: Page) =>
    p.evaluate(() => {
      const pc: RTCPeerConnection | null = (document.querySelector('contact-widget') as any)?.[Symbol.for('contact-widget.peer')] ?? null;
      return (pc?.getSenders() ?? []).map((s) => s.track?.label ?? '').sort();
    });
  /** The preview <video>: playing frames of the camera labelled `label`. */
  const previewPlays = (p: Page, label: string) =>
    p.waitForFunction(
      (want) => {
        const v = document.querySelector('contact-widget')?.shadowRoot?.querySelector<HTMLVideoElement>('video.mirror');
        const track = (v?.srcObject as MediaStream | null)?.getVideoTracks()[0];
        return !!v && v.videoWidth > 0 && !v.paused && v.readyState >= 2 && track?.label === want && track.readyState === 'live';
      },
      label,
      { timeout: 15_000 },
    );
  async function growth(p: Page, who: string, kinds: ('audio' | 'video')[]): Promise<void> {
    const first = await inboundBytes(p, who);
    for (const k of kinds) await expect.poll(async () => (await inboundBytes(p, who))[k], { timeout: 15_000, interval: 200 }).toBeGreaterThan(first[k]);
  }

  it('while a video call rings the visitor sees their own camera and picks the devices the call sends; both ways once answered, changeable in the call, remembered', async () => {
    await agentPage.evaluate(() => ((window as any).agent.autoAnswer = false));
    const ctx = await browser.newContext({ locale: 'en-US' });
    await ctx.addInitScript(countCaptures);
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    // Counted from here (a retried test finds the first attempt's calls in the agent's log).
    const base = await incomingCalls();
    try {
      await page.goto(site.url + '/');
      await page.getByRole('button', { name: 'Video call Dana Devices' }).click();
      await page.getByRole('textbox', { name: 'Your name' }).fill('Pia Preview');
      await page.getByRole('textbox', { name: 'Your name' }).press('Enter');

      // One click rings the agent; before the agent answers: own camera playing, pickers, a moving level.
      await agentState('ringing');
      expect(await incomingCalls()).toBe(base + 1);
      expect(await agentPage.evaluate(() => (window as any).agent.log.filter((m: any) => m.mt === 'IncomingCall').at(-1).video)).toBe(true);
      await page.getByText('Ringing…').waitFor({ timeout: 15_000 });
      await previewPlays(page, 'fake_device_0');
      const mic = page.getByRole('combobox', { name: 'Microphone' });
      const cam = page.getByRole('combobox', { name: 'Camera' });
      expect(await options(mic)).toEqual(['Fake Default Audio Input', 'Fake Audio Input 1', 'Fake Audio Input 2']);
      expect(await options(cam)).toEqual(['fake_device_0', 'fake_device_1', 'fake_device_2']);
      expect(await selected(cam)).toBe('fake_device_0');
      expect(await selected(mic)).toBe('Fake Default Audio Input');
      await expect.poll(() => page.locator('contact-widget .level span').evaluate((e) => parseFloat((e as HTMLElement).style.width) || 0), { timeout: 10_000 }).toBeGreaterThan(0);
      const v1 = await axeViolations(page);
      expect(v1, JSON.stringify(v1, null, 1)).toEqual([]);
      await shot(page, 'call-ringing-self-preview');

      // Another camera and microphone while it rings: the preview follows, the call sends them, the choice is stored.
      const peerSdp = () => page.evaluate(() => ((document.querySelector('contact-widget') as any)[Symbol.for('contact-widget.peer')] as RTCPeerConnection).localDescription?.sdp);
      const offer = await peerSdp();
      await cam.selectOption({ label: 'fake_device_2' });
      await previewPlays(page, 'fake_device_2');
      await mic.selectOption({ label: 'Fake Audio Input 1' });
      await expect.poll(() => sending(page)).toEqual(['Fake Audio Input 1', 'fake_device_2']);
      // Only the chosen devices run: the replaced camera and microphone were released.
      await expect.poll(() => live(page)).toEqual(['Fake Audio Input 1', 'fake_device_2']);
      const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('cw-devices') ?? '{}'));
      const ids = await page.evaluate(() => navigator.mediaDevices.enumerateDevices().then((d) => Object.fromEntries(d.map((x) => [`${x.kind}:${x.label}`, x.deviceId]))));
      expect(stored).toEqual({ cam: ids['videoinput:fake_device_2'], mic: ids['audioinput:Fake Audio Input 1'] });
      expect(await peerSdp()).toBe(offer);
      expect(await incomingCalls()).toBe(base + 1);

      // The agent answers: media both ways with the chosen devices, no further getUserMedia.
      const captures = await page.evaluate(() => (window as any).__gum.length as number);
      await agentPage.evaluate(() => (window as any).answer((window as any).agent.log.filter((m: any) => m.mt === 'IncomingCall').at(-1)));
      await page.getByText('Connected with Dana Devices').waitFor({ timeout: 15_000 });
      expect(await page.evaluate(() => (window as any).__gum.length)).toBe(captures);
      expect(await sending(page)).toEqual(['Fake Audio Input 1', 'fake_device_2']);
      await growth(page, 'contact-widget', ['audio', 'video']);
      await growth(agentPage, 'agent', ['audio', 'video']);

      // During the call: the pickers switch what is sent, without a new offer; the agent keeps receiving video.
      await cam.selectOption({ label: 'fake_device_0' });
      await expect.poll(() => sending(page)).toEqual(['Fake Audio Input 1', 'fake_device_0']);
      await growth(agentPage, 'agent', ['video']);
      expect(await peerSdp()).toBe(offer);
      expect(await live(page)).toEqual(['Fake Audio Input 1', 'fake_device_0']);
      await cam.selectOption({ label: 'fake_device_2' });
      await mic.selectOption({ label: 'Fake Audio Input 2' });
      await expect.poll(() => sending(page)).toEqual(['Fake Audio Input 2', 'fake_device_2']);
      await growth(agentPage, 'agent', ['audio', 'video']);
      expect(await live(page)).toEqual(['Fake Audio Input 2', 'fake_device_2']);
      const v2 = await axeViolations(page);
      expect(v2, JSON.stringify(v2, null, 1)).toEqual([]);
      await page.getByRole('button', { name: 'Hang up' }).click();
      await agentState('terminated');
      await page.getByRole('button', { name: 'Close' }).click();

      // The next call rings with the remembered devices; hanging up while it rings releases camera and microphone.
      await page.getByRole('button', { name: 'Video call Dana Devices' }).click();
      await agentState('ringing');
      await previewPlays(page, 'fake_device_2');
      await expect.poll(() => selected(cam)).toBe('fake_device_2');
      expect(await selected(mic)).toBe('Fake Audio Input 2');
      expect(await live(page)).toEqual(['Fake Audio Input 2', 'fake_device_2']);
      await page.getByRole('button', { name: 'Hang up' }).click();
      await agentState('terminated');
      await expect.poll(() => live(page)).toEqual([]);
      expect(await incomingCalls()).toBe(base + 2);
      expect(errors).toEqual([]);
    } finally {
      // Closing the visitor ends any call left by a failure (the retry then finds the agent free).
      await ctx.close();
      await agentPage.evaluate(() => ((window as any).agent.autoAnswer = true));
      await agentPage.evaluate(() => (window as any).agent.state === 'ringing' || (window as any).agent.state === 'connected' ? (window as any).agent.hangUp() : null);
    }
  });

  it('a refused camera is explained, with a voice call or a chat instead; the voice call has the Microphone picker', async () => {
    await agentPage.waitForFunction(() => (window as any).agent.state !== 'ringing');
    // A phone: the call screen is full-screen at 360 px.
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 360, height: 740 } });
    await ctx.addInitScript(() => {
      const orig = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (c) => (c?.video ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) : orig(c));
    });
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    try {
      await page.goto(site.url + '/');
      const before = await incomingCalls();
      await page.getByRole('button', { name: 'Video call Dana Devices' }).click();
      await page.getByRole('textbox', { name: 'Your name' }).fill('Cam Refused');
      await page.getByRole('textbox', { name: 'Your name' }).press('Enter');
      await page.getByText('The video call needs your camera. Please allow access to it in your browser.').waitFor();
      await page.getByRole('button', { name: 'Chat instead' }).waitFor();
      const voice = page.getByRole('button', { name: 'Voice call instead' });
      const v1 = await axeViolations(page);
      expect(v1, JSON.stringify(v1, null, 1)).toEqual([]);
      await shot(page, 'call-camera-refused-360');
      expect(await incomingCalls()).toBe(before);
      await voice.click();
      await page.getByText('Connected with Dana Devices').waitFor({ timeout: 15_000 });
      expect(await agentPage.evaluate(() => (window as any).agent.log.filter((m: any) => m.mt === 'IncomingCall').at(-1).video)).toBe(false);
      const mic = page.getByRole('combobox', { name: 'Microphone' });
      expect(await options(mic)).toHaveLength(3);
      expect(await page.getByRole('combobox', { name: 'Camera' }).count()).toBe(0);
      await mic.selectOption({ label: 'Fake Audio Input 2' });
      await expect.poll(() => sending(page)).toEqual(['Fake Audio Input 2']);
      await growth(agentPage, 'agent', ['audio']);
      // Nothing sticks out sideways on the phone.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await shot(page, 'call-voice-microphone-360');
      const v2 = await axeViolations(page);
      expect(v2, JSON.stringify(v2, null, 1)).toEqual([]);
      await page.getByRole('button', { name: 'Hang up' }).click();
      await agentState('terminated');
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});

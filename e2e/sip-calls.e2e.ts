/**
 * The product with a real phone system: Kamailio (registrar, proxy, presence
 * server) with rtpengine, baresip phones driven over ctrl_tcp, sipp as the far
 * end of the phones' own calls, and the visitor in Chromium with a spoken WAV
 * as microphone. All started once for this file, inside the test's private
 * network namespace (configs in e2e/sip/).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  launchChromium,
  need,
  Phone,
  publishPidf,
  speechWav,
  startKamailio,
  startRtpengine,
  startSipp,
  startSite,
  startTestServer,
  wavRms,
  WsClient,
  type Kamailio,
  type Proc,
  type TestServer,
} from '@cw/testkit';
import { adminApi, createWidget, hostPage, tokenFor, widgetBody, type Api } from './support/widget-env.js';
import { axeViolations, collectErrors, inboundBytes } from './support/widget-browser.js';

const ok =
  (await need('chromium')) && (await need('netns', 'media tests run inside `unshare -n`')) && (await need('sip', 'apt-get install kamailio kamailio-presence-modules kamailio-websocket-modules baresip-core sip-tester rtpengine-daemon'));

/** Loudness of what the visitor hears (inbound-rtp audioLevel, 0…1). */
async function inboundAudioLevel(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pc: RTCPeerConnection | null = (document.querySelector('contact-widget') as any)?.[Symbol.for('contact-widget.peer')] ?? null;
    if (!pc) return 0;
    let level = 0;
    (await pc.getStats()).forEach((s: any) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') level = Math.max(level, s.audioLevel ?? 0);
    });
    return level;
  });
}

/** Audio bytes the visitor sent (outbound-rtp): enough of them means the phone heard a few seconds of speech. */
async function outboundAudioBytes(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pc: RTCPeerConnection | null = (document.querySelector('contact-widget') as any)?.[Symbol.for('contact-widget.peer')] ?? null;
    let bytes = 0;
    (await pc?.getStats())?.forEach((s: any) => {
      if (s.type === 'outbound-rtp' && s.kind === 'audio') bytes += s.bytesSent ?? 0;
    });
    return bytes;
  });
}

describe.skipIf(!ok)('agents on a phone system (Kamailio, baresip, rtpengine)', () => {
  let tmp: string;
  let pbx: Kamailio;
  let rtpengine: Proc;
  let echo: Proc;
  let decline: Proc;
  let vera: Phone; // WebRTC phone (ICE, DTLS-SRTP, opus, VP8), answers by itself
  let paul: Phone; // plain RTP phone behind rtpengine, answers by itself, writes SIP MESSAGE
  let rita: Phone; // WebRTC phone that rings until told; one call at a time; publishes presence
  let server: TestServer;
  let api: Api;
  let site: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const users: Record<string, string> = {};

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-sip-e2e-'));
    const wav = speechWav(tmp);
    pbx = await startKamailio();
    rtpengine = await startRtpengine();
    echo = startSipp(5096, 'answer.xml');
    decline = startSipp(5097, 'decline.xml');
    vera = new Phone({ user: 'vera', sipPort: 5071, ctrlPort: 4445, media: 'webrtc', video: true });
    paul = new Phone({ user: 'plainpaul', sipPort: 5074, ctrlPort: 4446, media: 'plain', contacts: ['sip:widgets@127.0.0.1'] });
    rita = new Phone({ user: 'rita', sipPort: 5077, ctrlPort: 4447, media: 'webrtc', answer: 'manual', maxCalls: 1, publish: true });
    await Promise.all([vera.start(), paul.start(), rita.start()]);

    server = await startTestServer();
    api = await adminApi(server);
    for (const [sipId, dn] of [['vera', 'Vera Video'], ['plainpaul', 'Paul Plain'], ['rita', 'Rita Ringer'], ['decline', 'Dora Decline']]) {
      const u = await api<{ id: string }>('POST', '/api/users', { username: sipId, password: `pw-${sipId}-12345`, displayName: dn, sipId, roles: ['agent'], reach: 'phone' });
      users[sipId] = u.id;
    }
    const ps = await api('PUT', '/api/phone-system', { enabled: true, registrar: 'sip:127.0.0.1:5060;transport=tcp', domain: '127.0.0.1', username: 'widgets', password: 'widgets-secret', displayName: 'Contact Widgets', registerIntervalS: 300 });
    if (ps.status.state === 'off') throw new Error('the phone system did not start');

    const team = await createWidget(
      api,
      widgetBody({
        type: 'cards',
        name: 'Team',
        agents: [
          { sipId: 'vera', media: ['voice', 'video', 'chat'], availability: 'presence' },
          { sipId: 'plainpaul', media: ['voice', 'chat'], availability: 'presence' },
          { sipId: 'rita', media: ['voice'], availability: 'presence' },
        ],
      }),
    );
    const lines = await createWidget(
      api,
      widgetBody({
        type: 'cards',
        name: 'Lines',
        agents: [
          { sipId: 'rita', displayName: 'Rita Line', media: ['voice'], availability: 'always' },
          { sipId: 'decline', media: ['voice'], availability: 'always' },
        ],
      }),
    );
    site = await startSite({ '/': hostPage('Team', [team.embed]), '/lines': hostPage('Lines', [lines.embed]) });
    browser = await launchChromium([`--use-file-for-fake-audio-capture=${wav}`]);
    const ctx = await browser.newContext({ locale: 'en-US' });
    page = await ctx.newPage();
    errors = collectErrors(page);
    await page.goto(site.url + '/');
  }, 120_000);

  afterAll(async () => {
    // SIP_E2E_LOG=1 prints what the phones and the PBX said (for a failing run).
    if (process.env.SIP_E2E_LOG)
      for (const p of [vera?.proc, paul?.proc, rita?.proc, pbx?.proc, rtpengine]) if (p) console.log(`----- ${p.name}\n${p.output.slice(-6000)}`);
    await browser?.close();
    await site?.close();
    await server?.close();
    for (const p of [vera, paul, rita]) if (p) (await p.stop(), p.cleanup());
    await echo?.stop();
    await decline?.stop();
    await rtpengine?.stop();
    await pbx?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const card = (name: string) => page.getByRole('button', { name });
  const enabled = (name: string) => expect.poll(() => card(name).getAttribute('aria-disabled'), { timeout: 15_000 }).toBe(null);

  /** Asks for the visitor's name when the widget wants it (once per tab), else goes on. */
  async function giveName(p: Page, submit: 'click' | 'enter' = 'click'): Promise<void> {
    const nameField = p.getByRole('textbox', { name: 'Your name' });
    await nameField.or(p.getByText(/Ringing…|Connected with|Calling|joined the chat|Waiting/)).first().waitFor({ timeout: 15_000 });
    if (!(await nameField.isVisible())) return;
    await nameField.fill('Mary Visitor');
    if (submit === 'enter') await nameField.press('Enter');
    else await p.getByRole('button', { name: 'Start' }).click();
  }

  /** Starts a call from the widget and waits until it is connected. */
  async function callAndConnect(button: string, who: string, p = page): Promise<void> {
    await p.getByRole('button', { name: button }).click();
    await giveName(p);
    await p.getByText(`Connected with ${who}`).waitFor({ timeout: 20_000 });
  }

  async function audioFromPhone(): Promise<void> {
    try {
      await expect.poll(() => inboundAudioLevel(page), { timeout: 15_000, interval: 250 }).toBeGreaterThan(0.05);
    } catch (e) {
      const state = await page.evaluate(async () => {
        const pc: RTCPeerConnection | null = (document.querySelector('contact-widget') as any)?.[Symbol.for('contact-widget.peer')] ?? null;
        const st: any[] = [];
        (await pc?.getStats())?.forEach((s: any) => (s.type === 'transport' || s.type === 'inbound-rtp' || s.type === 'candidate-pair') && st.push(s));
        return pc && { c: pc.connectionState, i: pc.iceConnectionState, r: pc.remoteDescription?.sdp, st };
      });
      console.log('DEBUG', JSON.stringify(state, null, 1));
      throw e;
    }
  }

  async function lastCall(): Promise<any> {
    const calls = await api<any[]>('GET', '/api/calls?limit=1');
    return calls[0];
  }

  it('the server registers at the PBX; phones registered there show as available in the widget', async () => {
    await expect.poll(async () => (await api('GET', '/api/phone-system')).status.state, { timeout: 10_000 }).toBe('registered');
    await enabled('Video call Vera Video');
    await enabled('Voice call Paul Plain');
    await enabled('Voice call Rita Ringer');
  });

  it('a video call answered on a WebRTC phone: the phone’s tone reaches the visitor, the visitor’s speech is recorded by the phone', async () => {
    const mark = vera.mark();
    await callAndConnect('Video call Vera Video', 'Vera Video');
    const est = await vera.waitEvent((e) => e.type === 'CALL_ESTABLISHED', mark);
    expect(est.peerdisplayname).toBe('Mary Visitor');
    await audioFromPhone();
    const v0 = (await inboundBytes(page, 'contact-widget')).video;
    await expect.poll(async () => (await inboundBytes(page, 'contact-widget')).video, { timeout: 15_000 }).toBeGreaterThan(v0);
    const v = await axeViolations(page);
    expect(v, JSON.stringify(v, null, 1)).toEqual([]);
    // Let a few seconds of speech reach the phone's recorder, then the visitor hangs up.
    await expect.poll(() => outboundAudioBytes(page), { timeout: 20_000 }).toBeGreaterThan(15_000);
    await page.getByRole('button', { name: 'Hang up' }).click();
    await vera.waitEvent((e) => e.type === 'CALL_CLOSED', mark);
    await page.getByText('The call has ended.').waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    const rec = vera.recordings().at(-1)!;
    expect(wavRms(rec), rec).toBeGreaterThan(0.01);
    expect(await lastCall()).toMatchObject({ dest: 'vera', agentUserId: users.vera, answeredVia: 'phone', cause: 'visitor-hangup' });
  }, 120_000);

  it('a voice call answered on a plain-RTP phone behind rtpengine: audio both ways; the phone hangs up and the visitor is told', async () => {
    const mark = paul.mark();
    await callAndConnect('Voice call Paul Plain', 'Paul Plain');
    await paul.waitEvent((e) => e.type === 'CALL_ESTABLISHED', mark);
    expect(rtpengine.output).toMatch(/offer|answer/i);
    await audioFromPhone();
    await expect.poll(() => outboundAudioBytes(page), { timeout: 20_000 }).toBeGreaterThan(15_000);
    await paul.command('hangup');
    await page.getByText('Paul Plain ended the call.').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Close' }).click();
    const rec = paul.recordings().at(-1)!;
    expect(wavRms(rec), rec).toBeGreaterThan(0.01);
    expect(await lastCall()).toMatchObject({ dest: 'plainpaul', answeredVia: 'phone', cause: 'agent-hangup' });
  }, 120_000);

  it('the phone rejects: the visitor hears its cause (486 → busy); hanging up while it rings stops the phone ringing', async () => {
    let mark = rita.mark();
    await page.getByRole('button', { name: 'Voice call Rita Ringer' }).click();
    await giveName(page);
    await page.getByText('Ringing…').waitFor({ timeout: 15_000 });
    await rita.waitEvent((e) => e.type === 'CALL_INCOMING', mark);
    await rita.command('hangup');
    await page.getByText('Rita Ringer is busy right now. Please try again later.').waitFor();
    await page.getByRole('button', { name: 'Close' }).click();

    mark = rita.mark();
    await page.getByRole('button', { name: 'Voice call Rita Ringer' }).click();
    await rita.waitEvent((e) => e.type === 'CALL_INCOMING', mark);
    await page.getByRole('button', { name: 'Hang up' }).click();
    await rita.waitEvent((e) => e.type === 'CALL_CLOSED', mark);
    await page.getByRole('button', { name: 'Close' }).click();
    expect(await lastCall()).toMatchObject({ dest: 'rita', cause: 'cancelled', answeredVia: null });
  });

  it('a declining phone (603) is "rejected"; a phone busy in another call answers 486 → busy', async () => {
    const p = await page.context().newPage();
    await p.goto(site.url + '/lines');
    await p.getByRole('button', { name: 'Voice call Dora Decline' }).click();
    await p.getByRole('textbox', { name: 'Your name' }).fill('Mary Visitor');
    await p.getByRole('button', { name: 'Start' }).click();
    await p.getByText('Dora Decline could not take the call.').waitFor({ timeout: 15_000 });
    await p.getByRole('button', { name: 'Close' }).click();

    // Rita calls someone else: her presence turns busy in the widget, and a line that rings whatever the presence gets 486.
    const mark = rita.mark();
    await rita.command('dial', 'sip:echo@127.0.0.1');
    await rita.waitEvent((e) => e.type === 'CALL_ESTABLISHED', mark);
    await expect.poll(() => card('Voice call Rita Ringer').getAttribute('aria-disabled'), { timeout: 10_000 }).toBe('true');
    await p.getByRole('button', { name: 'Voice call Rita Line' }).click();
    await p.getByText('Rita Line is busy right now. Please try again later.').waitFor({ timeout: 15_000 });
    await p.getByRole('button', { name: 'Close' }).click();
    await rita.command('hangup');
    await enabled('Voice call Rita Ringer');
    await p.close();
  });

  it('presence from the PBX: a published "away" shows busy, back to available, unregistered shows not available', async () => {
    const etag = await publishPidf('rita', { basic: 'open', activity: 'away', expires: 60 });
    await expect.poll(() => card('Voice call Rita Ringer').getAttribute('aria-disabled'), { timeout: 10_000 }).toBe('true');
    expect(server.app.realtime.presence.phonePresence(users.rita)).toBe('away');
    await publishPidf('rita', { basic: 'open', expires: 60, etag });
    await enabled('Voice call Rita Ringer');
    await rita.stop();
    await expect.poll(() => page.locator('contact-widget').getByText('Not available', { exact: true }).count(), { timeout: 10_000 }).toBe(1);
    expect(server.app.realtime.presence.phonePresence(users.rita)).toBe('offline');
    await rita.start();
    await enabled('Voice call Rita Ringer');
  });

  it('reached at both: the console and the phone ring, the phone answers, the console stops ringing', async () => {
    await api('PATCH', `/api/users/${users.rita}`, { reach: 'both' });
    const token = await tokenFor(server, 'rita', 'pw-rita-12345');
    const consoleWs = await WsClient.connect(`${server.wsUrl}/ws/agent?token=${token}`);
    try {
      await consoleWs.next('Welcome');
      consoleWs.send({ mt: 'SetPresence', presence: 'online' });
      await enabled('Voice call Rita Ringer');
      const mark = rita.mark();
      await page.getByRole('button', { name: 'Voice call Rita Ringer' }).click();
      const incoming = await consoleWs.next((m) => m.mt === 'IncomingCall');
      await rita.waitEvent((e) => e.type === 'CALL_INCOMING', mark);
      await rita.command('accept');
      const stop = await consoleWs.next((m) => m.mt === 'CallInfo' && m.call === incoming.call);
      expect(stop).toMatchObject({ state: 'terminated', cause: 'answered-elsewhere' });
      await page.getByText('Connected with Rita Ringer').waitFor({ timeout: 15_000 });
      await audioFromPhone();
      await page.getByRole('button', { name: 'Hang up' }).click();
      await rita.waitEvent((e) => e.type === 'CALL_CLOSED', mark);
      await page.getByRole('button', { name: 'Close' }).click();
      expect(await lastCall()).toMatchObject({ dest: 'rita', answeredVia: 'phone', agentUserId: users.rita });
    } finally {
      await consoleWs.close();
      await api('PATCH', `/api/users/${users.rita}`, { reach: 'phone' });
    }
  });

  it('chat by SIP MESSAGE both ways: the request and the visitor’s words reach the phone, its reply accepts and reaches the visitor', async () => {
    const mark = paul.proc.mark();
    await page.getByRole('button', { name: 'Chat with Paul Plain' }).click();
    await giveName(page, 'enter');
    await paul.proc.waitFor(/"\[#\d+\] Mary Visitor wants to chat \(Team\)\. Reply to accept\."/, mark);
    await page.getByRole('textbox', { name: 'Message' }).fill('Do you ship to Canada?');
    await page.getByRole('button', { name: 'Send' }).click();
    await paul.proc.waitFor(/"\[#\d+\] Mary Visitor: Do you ship to Canada\?"/, mark);
    expect((await paul.command('message', 'Yes, we ship to Canada.')).ok).toBe(true);
    await page.getByText('Paul Plain joined the chat.').waitFor({ timeout: 10_000 });
    await page.getByRole('log').getByText('Yes, we ship to Canada.').waitFor();
    await page.getByRole('button', { name: 'End chat' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'End chat' }).click();
    await paul.proc.waitFor(/Mary Visitor left the chat\./, mark);
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('Kamailio restarted mid-session: the server registers again and a new call works', async () => {
    await pbx.restart();
    await expect.poll(async () => (await api('GET', '/api/phone-system')).status.state, { timeout: 30_000 }).toBe('registered');
    // Kamailio keeps registrations in memory: the phone registers again (its own refresh would take minutes).
    await vera.stop();
    await vera.start();
    await enabled('Video call Vera Video');
    const mark = vera.mark();
    await callAndConnect('Voice call Vera Video', 'Vera Video');
    await vera.waitEvent((e) => e.type === 'CALL_ESTABLISHED', mark);
    await audioFromPhone();
    await page.getByRole('button', { name: 'Hang up' }).click();
    await vera.waitEvent((e) => e.type === 'CALL_CLOSED', mark);
    expect(errors).toEqual([]);
  });
});

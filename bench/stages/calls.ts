/**
 * 5. Call signaling with many calls in flight: 20 widgets of 10 agents, one
 * console per agent, one visitor per agent. Each round every visitor calls
 * its agent (setups spread over one second) and all calls stay up until the
 * last is connected, so up to 200 are in flight. Times:
 *   CreateCall+Channels sent → agent's IncomingCall;
 *   AcceptCall sent → visitor's CallInfo "connected".
 * The reference is the chat relay p99 on the same server with no call up,
 * measured in slices between the rounds (so that both see the same load).
 * SDP strings are fake but shaped like a complete offer/answer.
 */
import path from 'node:path';
import { WsClient } from '@cw/testkit';
import type { Ctx } from '../lib/context.js';
import { reason } from '../lib/context.js';
import { closePairs, productPairs, runChat, type ChatPair } from '../lib/chat.js';
import { spawnChild } from '../lib/rpc.js';
import { now, percentile, sleep, withTimeout } from '../lib/stats.js';
import type { Fixtures } from '../servers/product.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);

export function fakeSdp(kind: 'offer' | 'answer', i: number): string {
  const lines = [
    'v=0',
    `o=- ${4611731400430051336n + BigInt(i)} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS bench',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 127.0.0.1',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=candidate:1 1 udp 2122260223 127.0.0.1 ${40000 + i} typ host generation 0`,
    'a=ice-ufrag:bnch',
    'a=ice-pwd:benchbenchbenchbenchbench',
    'a=fingerprint:sha-256 3B:7F:E6:2C:5A:80:9E:1D:2C:33:74:8A:1E:56:9A:0B:6F:A2:6C:9B:61:0E:41:8A:0B:22:73:D1:5C:3E:6A:FF',
    `a=setup:${kind === 'offer' ? 'actpass' : 'active'}`,
    'a=mid:0',
    'a=sendrecv',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=ssrc:1001 cname:bench',
  ];
  return lines.join('\r\n') + '\r\n';
}

interface Leg {
  visitor: WsClient;
  agent: WsClient;
  sipId: string;
  /** last presence of this agent the visitor saw */
  shown: string;
  t0: number;
  tAccept: number;
  call?: string;
  state: 'idle' | 'ringing' | 'connected' | 'failed';
}

export interface CallsResult {
  ring?: { p50: number; p99: number; samples: number };
  connect?: { p50: number; p99: number; samples: number };
  chatP99?: number;
  failed: number;
  na?: string;
  chatNa?: string;
}

export async function calls(ctx: Ctx): Promise<CallsResult> {
  const widgets = 20;
  const perWidget = 10;
  const rounds = ctx.quick ? 2 : 5;
  const out: CallsResult = { failed: 0 };
  const nodeArgs = ctx.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ctx.logDir, 'cpu-calls')}`] : [];
  let server;
  const legs: Leg[] = [];
  let pairs: ChatPair[] = [];
  try {
    server = await spawnChild('product-calls', path.join(HERE, '..', 'servers', 'product.ts'), { logDir: ctx.logDir, nodeArgs });
    const f: Fixtures = await server.call(
      'start',
      { widgets: [...Array.from({ length: widgets }, (_, w) => ({ prefix: `c${w}a`, agents: perWidget })), { prefix: 'chat', agents: 9 }] },
      120_000,
    );

    // Reference: chat relay on this server while no call is up, in slices between the rounds.
    const chatWidget = f.widgets[widgets]!;
    const chatSamples: number[] = [];
    try {
      pairs = await productPairs(f.wsUrl, chatWidget.uuid, chatWidget.agents);
    } catch (e) {
      out.chatNa = reason(e);
    }
    const chatSlice = async () => {
      if (!pairs.length) return;
      const r = runChat(pairs);
      await sleep(1500);
      chatSamples.push(...(await r.stop()).samples);
    };

    ctx.log(`  calls: connecting ${widgets * perWidget} consoles and visitors`);
    for (const w of f.widgets.slice(0, widgets)) {
      for (const ag of w.agents) {
        const agent = await WsClient.connect(`${f.wsUrl}/ws/agent?token=${encodeURIComponent(ag.token)}`);
        await agent.next('Welcome', 10_000);
        agent.send({ mt: 'SetPresence', presence: 'online' });
        const visitor = await WsClient.connect(`${f.wsUrl}/ws/widget`, { headers: { origin: 'http://localhost' } });
        visitor.send({ mt: 'Start', uuid: w.uuid, lang: 'en' });
        await visitor.next('IceConfig', 10_000);
        const leg: Leg = { visitor, agent, sipId: ag.sipId, shown: '', t0: 0, tAccept: 0, state: 'idle' };
        for (const m of visitor.received) if (m.mt === 'Info' && m.id === ag.sipId) leg.shown = m.presence;
        legs.push(leg);
      }
    }
    const ring: number[] = [];
    const connect: number[] = [];
    let roundDone: (() => void) | null = null;
    let connectedCount = 0;
    legs.forEach((leg, i) => {
      leg.agent.ws.on('message', (data: Buffer) => {
        const t = now();
        const s = data.toString();
        if (!s.includes('"IncomingCall"') || leg.state !== 'ringing') return;
        ring.push(t - leg.t0);
        const m = JSON.parse(s);
        leg.call = m.call;
        leg.tAccept = now();
        leg.agent.send({ mt: 'AcceptCall', call: m.call, sdp: fakeSdp('answer', i) });
      });
      leg.visitor.ws.on('message', (data: Buffer) => {
        const t = now();
        const s = data.toString();
        if (s.includes('"mt":"Info"') && s.includes(`"id":"${leg.sipId}"`)) leg.shown = JSON.parse(s).presence;
        if (!s.includes('"CallInfo"') || leg.state !== 'ringing') return;
        const m = JSON.parse(s);
        if (m.state === 'connected') {
          connect.push(t - leg.tAccept);
          leg.state = 'connected';
          connectedCount++;
        } else if (m.state === 'terminated') {
          leg.state = 'failed';
          out.failed++;
          connectedCount++;
          if (!out.na && connect.length === 0) ctx.log(`  calls: a call ended with cause ${m.cause}`);
        } else return;
        if (connectedCount === legs.length) roundDone?.();
      });
    });

    for (let r = 0; r < rounds; r++) {
      await chatSlice();
      // Every agent must show online to its visitor before the round (they were busy in the last one).
      const until = Date.now() + 15_000;
      while (legs.some((l) => l.shown !== 'online') && Date.now() < until) await sleep(20);
      connectedCount = 0;
      const all = new Promise<void>((res) => (roundDone = res));
      legs.forEach((leg, i) => {
        setTimeout(() => {
          leg.state = 'ringing';
          leg.t0 = now();
          leg.visitor.send({ mt: 'CreateCall', dest: leg.sipId, dn: 'Bench caller', video: false });
          leg.visitor.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: fakeSdp('offer', i) });
        }, (i * 1000) / legs.length);
      });
      await withTimeout(all, 30_000, `round ${r + 1}: every call connected or ended`);
      ctx.log(`  calls: round ${r + 1}: ${legs.filter((l) => l.state === 'connected').length} calls up at once`);
      // Hang up all, and wait until each visitor has its terminated.
      const ended = legs.filter((l) => l.state === 'connected').map((l) => l.visitor.next((m) => m.mt === 'CallInfo' && m.state === 'terminated', 15_000));
      for (const l of legs) {
        if (l.state === 'connected') l.visitor.send({ mt: 'ClearCall' });
        l.state = 'idle';
      }
      await Promise.all(ended);
    }
    await chatSlice();
    if (chatSamples.length) out.chatP99 = percentile(chatSamples, 99);
    else out.chatNa ??= 'no chat message was relayed';
    out.ring = { p50: percentile(ring, 50), p99: percentile(ring, 99), samples: ring.length };
    out.connect = { p50: percentile(connect, 50), p99: percentile(connect, 99), samples: connect.length };
    ctx.log(`  calls: IncomingCall p99 ${out.ring.p99.toFixed(1)} ms, connected p99 ${out.connect.p99.toFixed(1)} ms, failed ${out.failed}; chat relay p99 between rounds ${out.chatP99?.toFixed(1)} ms (${chatSamples.length} messages)`);
  } catch (e) {
    out.na = reason(e);
    ctx.log(`  calls: ${out.na}`);
  } finally {
    await Promise.all(legs.flatMap((l) => [l.visitor.close(), l.agent.close()])).catch(() => {});
    await closePairs(pairs).catch(() => {});
    await server?.stop(30_000);
  }
  return out;
}

/**
 * Chat relay latency: visitor sends ChatMessage, its paired agent receives
 * it. Sender and receiver live in this process, so one clock times both ends.
 */
import { WsClient } from '@cw/testkit/ws-client';
import type { Agent } from '../servers/product.js';
import { now } from './stats.js';

export interface ChatPair {
  visitor: WsClient;
  agent: WsClient;
  chat: string;
}

const ORIGIN = { headers: { origin: 'http://localhost' } };
/** global, so client ids never repeat across runs (the product treats a repeated cid as a retry) */
let seq = 0;

/** Product: an agent console per agent (online), a visitor per agent with an accepted chat. */
export async function productPairs(wsUrl: string, uuid: string, agents: Agent[]): Promise<ChatPair[]> {
  const pairs: ChatPair[] = [];
  for (const ag of agents) {
    const agent = await WsClient.connect(`${wsUrl}/ws/agent?token=${encodeURIComponent(ag.token)}`);
    await agent.next('Welcome', 10_000);
    agent.send({ mt: 'SetPresence', presence: 'online' });
    const visitor = await WsClient.connect(`${wsUrl}/ws/widget`, ORIGIN);
    visitor.send({ mt: 'Start', uuid, lang: 'en' });
    await visitor.next('IceConfig', 10_000);
    // The agent is online once its own presence shows on the visitor's widget.
    if (!visitor.received.some((m) => m.mt === 'Info' && m.id === ag.sipId && m.presence === 'online')) {
      await visitor.next((m) => m.mt === 'Info' && m.id === ag.sipId && m.presence === 'online', 10_000);
    }
    visitor.send({ mt: 'ChatStart', dest: ag.sipId, dn: 'Bench visitor' });
    const offer = await agent.next('ChatOffer', 10_000);
    agent.send({ mt: 'ChatAccept', chat: offer.chat });
    await visitor.next((m) => m.mt === 'ChatInfo' && m.state === 'accepted', 10_000);
    pairs.push({ visitor, agent, chat: offer.chat });
  }
  return pairs;
}

/** Bare ws baseline: the relay pairs of bench/servers/bare.ts. */
export async function barePairs(wsUrl: string, n: number): Promise<ChatPair[]> {
  const pairs: ChatPair[] = [];
  for (let i = 0; i < n; i++) {
    const agent = await WsClient.connect(`${wsUrl}/relay?pair=${i}&role=agent`);
    const visitor = await WsClient.connect(`${wsUrl}/relay?pair=${i}&role=visitor`);
    pairs.push({ visitor, agent, chat: `c${i}` });
  }
  return pairs;
}

/**
 * Every pair sends `perSecond` messages a second (below the product's rate
 * limit) until stop() is called; resolves with one-way latencies in ms.
 */
export function runChat(pairs: ChatPair[], perSecond = 10): { stop(): Promise<{ samples: number[]; lost: number }> } {
  const sent = new Map<string, number>();
  const samples: number[] = [];
  const offs: (() => void)[] = [];
  for (const p of pairs) {
    const onMsg = (data: Buffer) => {
      const t = now();
      const s = data.toString();
      if (!s.includes('"ChatMessage"')) return;
      const m = JSON.parse(s);
      const t0 = sent.get(m.text);
      if (t0 !== undefined) {
        samples.push(t - t0);
        sent.delete(m.text);
      }
    };
    p.agent.ws.on('message', onMsg);
    offs.push(() => p.agent.ws.off('message', onMsg));
  }
  const timers = pairs.map((p, i) =>
    // Stagger the pairs so their messages do not all leave in the same tick.
    setTimeout(() => {
      const send = () => {
        const text = `bench ${++seq}`;
        sent.set(text, now());
        p.visitor.send({ mt: 'ChatMessage', chat: p.chat, cid: `k${seq}`, text });
      };
      send();
      timers[i] = setInterval(send, 1000 / perSecond);
    }, (i * 1000) / perSecond / pairs.length),
  );
  return {
    async stop() {
      for (const t of timers) clearInterval(t);
      // Let messages in flight arrive (bounded).
      const until = Date.now() + 2000;
      while (sent.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      for (const off of offs) off();
      return { samples, lost: sent.size };
    },
  };
}

export async function closePairs(pairs: ChatPair[]): Promise<void> {
  await Promise.all(pairs.flatMap((p) => [p.visitor.close(), p.agent.close()]));
}

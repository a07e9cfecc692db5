/**
 * A WebSocket test client that buffers every message and lets a test wait for
 * the next one that matches (STYLE habit 12: wait for events, not for time).
 */
import WebSocket from 'ws';

export type Msg = Record<string, any> & { mt: string };
/** What a wait looks for: an `mt`, a predicate, or fields the message must have (compared as JSON). */
export type Pred = string | ((m: Msg) => boolean) | ({ mt: string } & Record<string, unknown>);

function describePred(pred: Pred): string {
  return typeof pred === 'string' ? pred : typeof pred === 'function' ? 'a matching message' : JSON.stringify(pred);
}

export class WsClient {
  readonly ws: WebSocket;
  /** every message received, in order */
  readonly received: Msg[] = [];
  #cursor = 0;
  #waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const m = JSON.parse(data.toString()) as Msg;
      this.received.push(m);
      this.#drain();
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, opts);
      const c = new WsClient(ws);
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected HTTP ${res.statusCode}`)));
    });
  }

  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  #match(pred: Pred): (m: Msg) => boolean {
    if (typeof pred === 'string') return (m) => m.mt === pred;
    if (typeof pred === 'function') return pred;
    return (m) => Object.entries(pred).every(([k, v]) => JSON.stringify(m[k]) === JSON.stringify(v));
  }

  #drain(): void {
    for (let i = 0; i < this.#waiters.length; ) {
      const w = this.#waiters[i]!;
      let hit = -1;
      for (let j = this.#cursor; j < this.received.length; j++) {
        if (w.pred(this.received[j]!)) {
          hit = j;
          break;
        }
      }
      if (hit >= 0) {
        this.#waiters.splice(i, 1);
        // Consume up to and including the hit, so sequential waits read in order.
        this.#cursor = hit + 1;
        w.resolve(this.received[hit]!);
      } else i++;
    }
  }

  /**
   * Resolves with the next unread message that matches; messages before it
   * are skipped. Rejects after `timeoutMs` (a safety net, not a delay).
   */
  next(pred: Pred, timeoutMs = 5000): Promise<Msg> {
    const p = this.#match(pred);
    return new Promise((resolve, reject) => {
      const w = { pred: p, resolve: (m: Msg) => (clearTimeout(t), resolve(m)) };
      const t = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        reject(new Error(`timed out waiting for ${describePred(pred)}; unread: ${JSON.stringify(this.received.slice(this.#cursor)).slice(0, 2000)}`));
      }, timeoutMs);
      this.#waiters.push(w);
      this.#drain();
    });
  }

  /**
   * The next unread messages must be exactly these, in this order: unlike
   * next(), nothing is skipped — a message in between (a duplicate after a
   * resend, say) fails the wait and is named. Resolves with the messages.
   */
  async exactly(...preds: Pred[]): Promise<Msg[]> {
    const got: Msg[] = [];
    for (const [i, pred] of preds.entries()) {
      const m = await this.next(() => true).catch((err: Error) => {
        throw new Error(`expected ${describePred(pred)} (message ${i + 1} of ${preds.length}): ${err.message}`);
      });
      if (!this.#match(pred)(m))
        throw new Error(
          `expected ${describePred(pred)} (message ${i + 1} of ${preds.length}) but the next message was ${JSON.stringify(m).slice(0, 500)}` +
            `; unread after it: ${JSON.stringify(this.unread()).slice(0, 1500)}`,
        );
      got.push(m);
    }
    return got;
  }

  /** Unread messages, without consuming them. */
  unread(): Msg[] {
    return this.received.slice(this.#cursor);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

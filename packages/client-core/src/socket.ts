/**
 * A JSON WebSocket that reconnects by itself. Framework-free; shared by the
 * widget and the agent console. Messages sent while disconnected are not
 * queued here: callers resend what matters (chat messages until acked)
 * after `open`, because only they know what is still pending.
 */
import { BackoffPolicy, type ReconnectPolicy } from './reconnect.js';

export type Json = Record<string, any> & { mt: string };

export interface JsonSocketEvents {
  /** connected (first time or again); `reconnect` tells which */
  open: (reconnect: boolean) => void;
  message: (m: Json) => void;
  /** lost; `willRetry` is false after a fatal close or close() */
  close: (code: number, willRetry: boolean) => void;
}

/** Close codes after which retrying is pointless (policy violation). */
const FATAL = new Set([1008]);

export class JsonSocket {
  #url: () => string;
  #ws: WebSocket | null = null;
  #policy: ReconnectPolicy;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  #opened = false;
  #handlers: { [K in keyof JsonSocketEvents]: Set<JsonSocketEvents[K]> } = { open: new Set(), message: new Set(), close: new Set() };

  constructor(url: string | (() => string), policy: ReconnectPolicy = new BackoffPolicy()) {
    this.#url = typeof url === 'string' ? () => url : url;
    this.#policy = policy;
  }

  on<K extends keyof JsonSocketEvents>(ev: K, fn: JsonSocketEvents[K]): () => void {
    this.#handlers[ev].add(fn);
    return () => this.#handlers[ev].delete(fn);
  }

  #emit<K extends keyof JsonSocketEvents>(ev: K, ...args: Parameters<JsonSocketEvents[K]>): void {
    for (const h of this.#handlers[ev]) {
      try {
        (h as (...a: unknown[]) => void)(...args);
      } catch (e) {
        // A listener cannot break the others (STYLE habit 8).
        setTimeout(() => {
          throw e;
        });
      }
    }
  }

  get connected(): boolean {
    return this.#ws?.readyState === 1;
  }

  connect(): void {
    this.#stopped = false;
    if (this.#ws) return;
    const ws = new WebSocket(this.#url());
    this.#ws = ws;
    ws.onopen = () => {
      this.#attempt = 0;
      const again = this.#opened;
      this.#opened = true;
      this.#emit('open', again);
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      let m: unknown;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      if (m && typeof m === 'object' && typeof (m as Json).mt === 'string') this.#emit('message', m as Json);
    };
    ws.onclose = (e) => {
      this.#ws = null;
      const delay = this.#stopped || FATAL.has(e.code) ? null : this.#policy.nextDelayMs(this.#attempt++);
      this.#emit('close', e.code, delay !== null);
      if (delay !== null) this.#timer = setTimeout(() => ((this.#timer = null), this.connect()), delay);
    };
  }

  /** Sends now; returns false when not connected (nothing is queued). */
  send(m: Json): boolean {
    if (!this.#ws || this.#ws.readyState !== 1) return false;
    this.#ws.send(JSON.stringify(m));
    return true;
  }

  /** Retry at once (e.g. when the browser comes back online). */
  retryNow(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.connect();
    }
  }

  close(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#ws?.close(1000);
  }
}

/**
 * A JSON WebSocket that reconnects by itself, typed by the channel's message
 * unions (STYLE habit 14): `message` listeners get the protocol's union of
 * what the server sends, so a `switch (m.mt)` narrows every branch, and
 * `send` takes only what the server accepts. Framework-free; shared by the
 * widget and the agent console. Messages sent while disconnected are not
 * queued here: callers resend what matters (chat messages until acked) after
 * `open`, because only they know what is still pending.
 */
import type { AgentInbound, AgentOutbound, VisitorInbound, VisitorOutbound } from '@cw/protocol';
import { BackoffPolicy, type ReconnectPolicy } from './reconnect.js';

/** Any wire message: a JSON object tagged with its type in `mt`. */
export interface Tagged {
  readonly mt: string;
}

export interface JsonSocketEvents<In> {
  /** connected (first time or again); `reconnect` tells which */
  open: (reconnect: boolean) => void;
  message: (m: In) => void;
  /** lost; `willRetry` is false after a fatal close or close() */
  close: (code: number, willRetry: boolean) => void;
}

/** Close codes after which retrying is pointless (policy violation). */
const FATAL = new Set([1008]);

/**
 * A parsed frame is taken as one of the channel's messages once it is an
 * object with a string `mt`: the server builds every frame from the
 * protocol's types, and a branch for an `mt` the client does not know is
 * never taken.
 */
function isMessage<In extends Tagged>(v: unknown): v is In {
  return typeof v === 'object' && v !== null && typeof (v as { mt?: unknown }).mt === 'string';
}

/** Calls every listener; one that throws cannot break the others (STYLE habit 8). */
function emit<A extends unknown[]>(listeners: Set<(...args: A) => void>, ...args: A): void {
  for (const listener of listeners) {
    try {
      listener(...args);
    } catch (e) {
      setTimeout(() => {
        throw e;
      });
    }
  }
}

/** A reconnecting WebSocket that receives `In` messages and sends `Out` messages. */
export class JsonSocket<In extends Tagged, Out extends Tagged> {
  #url: () => string;
  #ws: WebSocket | null = null;
  #policy: ReconnectPolicy;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  #opened = false;
  #listeners: { [K in keyof JsonSocketEvents<In>]: Set<JsonSocketEvents<In>[K]> } = { open: new Set(), message: new Set(), close: new Set() };

  constructor(url: string | (() => string), policy: ReconnectPolicy = new BackoffPolicy()) {
    this.#url = typeof url === 'string' ? () => url : url;
    this.#policy = policy;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof JsonSocketEvents<In>>(ev: K, fn: JsonSocketEvents<In>[K]): () => void {
    const set = this.#listeners[ev];
    set.add(fn);
    return () => set.delete(fn);
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
      emit(this.#listeners.open, again);
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      let m: unknown;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      if (isMessage<In>(m)) emit(this.#listeners.message, m);
    };
    ws.onclose = (e) => {
      this.#ws = null;
      const delay = this.#stopped || FATAL.has(e.code) ? null : this.#policy.nextDelayMs(this.#attempt++);
      emit(this.#listeners.close, e.code, delay !== null);
      if (delay !== null) this.#timer = setTimeout(() => ((this.#timer = null), this.connect()), delay);
    };
  }

  /** Sends now; returns false when not connected (nothing is queued). */
  send(m: Out): boolean {
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

/** The visitor channel (/ws/widget, spec 2) as the widget sees it. */
export type VisitorSocket = JsonSocket<VisitorOutbound, VisitorInbound>;
/** The agent channel (/ws/agent, spec 3) as the console sees it. */
export type AgentSocket = JsonSocket<AgentOutbound, AgentInbound>;

/**
 * A JSON WebSocket that reconnects by itself, typed by the channel's message
 * unions (STYLE habit 14): `message` listeners get the protocol's union of
 * what the server sends, so a `switch (m.mt)` narrows every branch, and
 * `send` takes only what the server accepts. Framework-free; shared by the
 * widget and the agent console. Messages sent while disconnected are not
 * queued here: callers resend what matters (chat messages until acked) after
 * `open`, because only they know what is still pending.
 *
 * A server closes a client that sent too fast (Error `rate-limited`, then
 * close 1008). For a person that is not fatal: the socket comes back by
 * itself after a pause, and callers keep everything they hold.
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

export interface JsonSocketOptions {
  /** the delays between reconnects; default: BackoffPolicy() */
  policy?: ReconnectPolicy;
  /** after a `rate-limited` close, connect again after this pause (ms); null: stay closed. Default 10 s. */
  rateLimitPauseMs?: number | null;
}

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
  #socket: WebSocket | null = null;
  #policy: ReconnectPolicy;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  #opened = false;
  #rateLimitPauseMs: number | null;
  /** the server said `rate-limited`: its close is followed by the pause */
  #rateLimited = false;
  /** the pending retry is that pause, which retryNow does not cut short */
  #pausing = false;
  #listeners: { [K in keyof JsonSocketEvents<In>]: Set<JsonSocketEvents<In>[K]> } = { open: new Set(), message: new Set(), close: new Set() };

  constructor(url: string | (() => string), opts: JsonSocketOptions = {}) {
    this.#url = typeof url === 'string' ? () => url : url;
    this.#policy = opts.policy ?? new BackoffPolicy();
    this.#rateLimitPauseMs = opts.rateLimitPauseMs === undefined ? 10_000 : opts.rateLimitPauseMs;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof JsonSocketEvents<In>>(event: K, listener: JsonSocketEvents<In>[K]): () => void {
    const set = this.#listeners[event];
    set.add(listener);
    return () => set.delete(listener);
  }

  get connected(): boolean {
    return this.#socket?.readyState === 1;
  }

  connect(): void {
    this.#stopped = false;
    if (this.#socket) return;
    const socket = new WebSocket(this.#url());
    this.#socket = socket;
    socket.onopen = () => {
      this.#attempt = 0;
      const again = this.#opened;
      this.#opened = true;
      emit(this.#listeners.open, again);
    };
    socket.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      let m: unknown;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      if (!isMessage<In>(m)) return;
      if (m.mt === 'Error' && 'code' in m && m.code === 'rate-limited') this.#rateLimited = true;
      emit(this.#listeners.message, m);
    };
    socket.onclose = (e) => {
      this.#socket = null;
      let delay = this.#stopped || FATAL.has(e.code) ? null : this.#policy.nextDelayMs(this.#attempt++);
      this.#pausing = delay === null && this.#rateLimited && !this.#stopped && this.#rateLimitPauseMs !== null;
      this.#rateLimited = false;
      if (this.#pausing) delay = this.#rateLimitPauseMs;
      emit(this.#listeners.close, e.code, delay !== null);
      if (delay !== null) this.#timer = setTimeout(() => ((this.#timer = null), this.connect()), delay);
    };
  }

  /** Sends now; returns false when not connected (nothing is queued). */
  send(m: Out): boolean {
    if (!this.#socket || this.#socket.readyState !== 1) return false;
    this.#socket.send(JSON.stringify(m));
    return true;
  }

  /** Retry at once (e.g. when the browser comes back online); a rate-limit pause is kept. */
  retryNow(): void {
    if (this.#timer && !this.#pausing) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.connect();
    }
  }

  close(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#socket?.close(1000);
  }
}

/** The visitor channel (/ws/widget, spec 2) as the widget sees it. */
export type VisitorSocket = JsonSocket<VisitorOutbound, VisitorInbound>;
/** The agent channel (/ws/agent, spec 3) as the console sees it. */
export type AgentSocket = JsonSocket<AgentOutbound, AgentInbound>;

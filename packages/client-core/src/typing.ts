/**
 * The typing indicator one client sends for one chat (spec 2.3): `Typing
 * true` once while the person types, `false` after a quiet spell, when the
 * message goes out, or when the chat ends — never a stream of repeats.
 */

/** Quiet time after which "typing" is withdrawn. */
export const TYPING_IDLE_MS = 3000;

export class TypingSignal {
  #send: (typing: boolean) => boolean;
  #idleMs: number;
  #sent = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `send` sends one Typing message and says whether it went out (false: not connected, or no chat to tell). */
  constructor(send: (typing: boolean) => boolean, idleMs = TYPING_IDLE_MS) {
    this.#send = send;
    this.#idleMs = idleMs;
  }

  /** The draft changed: `typing` when it holds text. */
  input(typing: boolean): void {
    if (!typing) return this.stop();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.stop(), this.#idleMs);
    if (!this.#sent) this.#sent = this.#send(true);
  }

  /** Withdraws "typing" (tells the other side when it was told, unless `tell` is false: the chat is over). */
  stop(tell = true): void {
    clearTimeout(this.#timer);
    if (this.#sent && tell) this.#send(false);
    this.#sent = false;
  }

  /** The connection dropped: what was sent went with it; nothing is told. */
  reset(): void {
    this.stop(false);
  }
}

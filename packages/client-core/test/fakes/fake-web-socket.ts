/**
 * A stand-in for the browser's WebSocket in unit tests of the clients
 * (client-core's socket, the widget's controller): the test opens it,
 * feeds it frames and drops it; what the client sent is kept parsed.
 */
export class FakeWebSocket {
  static all: FakeWebSocket[] = [];
  readyState = 0;
  /** what the client sent, parsed */
  sent: { mt: string; [k: string]: unknown }[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.all.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000): void {
    this.drop(code);
  }

  /** The connection opens. */
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }

  /** A message from the server (an object is sent as JSON, anything else as it is). */
  receive(m: unknown): void {
    this.onmessage?.({ data: typeof m === 'object' && m !== null && !(m instanceof ArrayBuffer) ? JSON.stringify(m) : m });
  }

  /** The connection is lost with `code`. */
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }

  /** What the client sent of one type. */
  of(mt: string): { mt: string; [k: string]: unknown }[] {
    return this.sent.filter((m) => m.mt === mt);
  }
}

/**
 * The ringback tone a caller hears while the agent's console rings
 * (425 Hz, 1 s on / 4 s off, as in most of Europe), made with Web Audio so
 * it needs no audio file and nothing in the site's CSP. Quiet on purpose.
 */
export class Ringback {
  #ctx: AudioContext | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;

  start(): void {
    if (this.#ctx) return;
    try {
      const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
      if (!Ctx) return;
      this.#ctx = new Ctx();
    } catch {
      return; // no audio: the visible "Ringing…" is enough
    }
    const beep = () => {
      const ctx = this.#ctx;
      if (!ctx) return;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 425;
      gain.gain.value = 0.06;
      osc.connect(gain).connect(ctx.destination);
      const t = ctx.currentTime;
      osc.start(t);
      osc.stop(t + 1);
    };
    beep();
    this.#timer = setInterval(beep, 5000);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const ctx = this.#ctx;
    this.#ctx = null;
    ctx?.close().catch(() => {});
  }
}

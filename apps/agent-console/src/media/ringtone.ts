/**
 * The ring tone, synthesised with Web Audio (no audio file is fetched):
 * a soft two-tone burst, twice, then a pause — repeated until stopped.
 * Browsers start an AudioContext suspended until the user interacts with
 * the page, so `unlock()` is called on the first click or key press.
 */

const PERIOD_S = 4;

type Listener = () => void;

export class Ringtone {
  #ctx: AudioContext | null = null;
  #gain: GainNode | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #oscillators: OscillatorNode[] = [];
  #listeners = new Set<Listener>();

  /** True while the tone is meant to play (even if the browser still blocks audio). */
  get ringing(): boolean {
    return this.#timer !== null;
  }

  /** True when the browser has not allowed audio yet (no user gesture so far). */
  get blocked(): boolean {
    return !this.#ctx || this.#ctx.state !== 'running';
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  #context(): AudioContext | null {
    if (this.#ctx) return this.#ctx;
    const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctor) return null;
    this.#ctx = new Ctor();
    this.#ctx.onstatechange = () => this.#changed();
    return this.#ctx;
  }

  /** Call from a user gesture: lets the browser play the tone later. */
  unlock(): void {
    const ctx = this.#context();
    if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => {});
  }

  start(): void {
    if (this.#timer) return;
    const ctx = this.#context();
    if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => {});
    this.#timer = setInterval(() => this.#burst(), PERIOD_S * 1000);
    this.#burst();
    this.#changed();
  }

  stop(): void {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = null;
    for (const o of this.#oscillators) {
      try {
        o.stop();
      } catch {
        /* already stopped */
      }
      o.disconnect();
    }
    this.#oscillators = [];
    this.#gain?.disconnect();
    this.#gain = null;
    this.#changed();
  }

  /** A short two-note chime for a chat request (once, not repeated); silent while audio is blocked. */
  chime(): void {
    const ctx = this.#context();
    if (!ctx) return;
    if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
    if (ctx.state !== 'running') return;
    const gain = ctx.createGain();
    gain.gain.value = 0;
    gain.connect(ctx.destination);
    const t0 = ctx.currentTime + 0.02;
    [
      [660, 0],
      [880, 0.18],
    ].forEach(([f, at]) => {
      const o = ctx.createOscillator();
      o.frequency.value = f!;
      o.connect(gain);
      gain.gain.setValueAtTime(0, t0 + at!);
      gain.gain.linearRampToValueAtTime(0.1, t0 + at! + 0.02);
      gain.gain.linearRampToValueAtTime(0, t0 + at! + 0.16);
      o.start(t0 + at!);
      o.stop(t0 + at! + 0.17);
      if (at) o.onended = () => gain.disconnect();
    });
  }

  /** Schedules one ring: two short dual-tone bursts with soft edges. */
  #burst(): void {
    const ctx = this.#ctx;
    if (!ctx || ctx.state !== 'running') return;
    const gain = ctx.createGain();
    gain.gain.value = 0;
    gain.connect(ctx.destination);
    const t0 = ctx.currentTime + 0.02;
    for (const [start, end] of [
      [0, 0.4],
      [0.6, 1.0],
    ] as const) {
      gain.gain.setValueAtTime(0, t0 + start);
      gain.gain.linearRampToValueAtTime(0.12, t0 + start + 0.03);
      gain.gain.setValueAtTime(0.12, t0 + end - 0.05);
      gain.gain.linearRampToValueAtTime(0, t0 + end);
    }
    const oscs = [440, 480].map((f) => {
      const o = ctx.createOscillator();
      o.frequency.value = f;
      o.connect(gain);
      o.start(t0);
      o.stop(t0 + 1.05);
      return o;
    });
    // The previous burst ended long ago (period 4 s, burst ~1 s).
    this.#oscillators = oscs;
    oscs[1]!.onended = () => gain.disconnect();
    this.#gain = gain;
  }
}

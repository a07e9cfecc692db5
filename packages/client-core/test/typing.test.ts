/** TypingSignal: true once while typing, false after the quiet spell, on send, or not at all when the chat is over or the link dropped. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TYPING_IDLE_MS, TypingSignal } from '../src/typing.js';

let sent: boolean[];
let up: boolean;
const make = () => new TypingSignal((typing) => (up ? (sent.push(typing), true) : false));

beforeEach(() => {
  vi.useFakeTimers();
  sent = [];
  up = true;
});
afterEach(() => vi.useRealTimers());

describe('TypingSignal', () => {
  it('sends true once while typing and false after the quiet spell', () => {
    const signal = make();
    signal.input(true);
    vi.advanceTimersByTime(TYPING_IDLE_MS - 1);
    signal.input(true);
    vi.advanceTimersByTime(TYPING_IDLE_MS - 1);
    expect(sent).toEqual([true]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([true, false]);
    vi.advanceTimersByTime(TYPING_IDLE_MS * 3);
    expect(sent).toEqual([true, false]);
  });

  it('an emptied draft or stop() withdraws at once; stop(false) and reset() tell nothing', () => {
    const signal = make();
    signal.input(true);
    signal.input(false);
    expect(sent).toEqual([true, false]);
    signal.stop();
    expect(sent).toEqual([true, false]);
    signal.input(true);
    signal.stop(false);
    signal.input(true);
    signal.reset();
    vi.advanceTimersByTime(TYPING_IDLE_MS * 2);
    expect(sent).toEqual([true, false, true, true]);
  });

  it('what could not be sent is tried again on the next keystroke, and never withdrawn', () => {
    const signal = make();
    up = false;
    signal.input(true);
    up = true;
    signal.input(true);
    expect(sent).toEqual([true]);
    signal.reset();
    up = false;
    signal.input(true);
    signal.stop();
    expect(sent).toEqual([true]);
  });
});

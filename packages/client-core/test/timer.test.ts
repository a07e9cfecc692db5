import { describe, expect, it } from 'vitest';
import { callTimer } from '../src/timer.js';

describe('callTimer (one format in the widget and the console)', () => {
  it('shows mm:ss under an hour and h:mm:ss from an hour on', () => {
    expect(callTimer(0)).toBe('00:00');
    expect(callTimer(5_400)).toBe('00:05');
    expect(callTimer(75_000)).toBe('01:15');
    expect(callTimer(3_599_999)).toBe('59:59');
    expect(callTimer(3_600_000)).toBe('1:00:00');
    expect(callTimer(3_675_000)).toBe('1:01:15');
    expect(callTimer(-5)).toBe('00:00');
  });
});

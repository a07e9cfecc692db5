/** One mapping of getUserMedia failures for the widget and the console. */
import { describe, expect, it } from 'vitest';
import { mediaFailure } from '../src/media-error.js';

const named = (name: string) => Object.assign(new Error(name), { name });

describe('mediaFailure', () => {
  it('tells denied microphone, denied camera and missing devices apart', () => {
    expect(mediaFailure(named('NotAllowedError'), false)).toBe('mic-denied');
    expect(mediaFailure(named('NotAllowedError'), true)).toBe('cam-denied');
    expect(mediaFailure(named('SecurityError'), false)).toBe('mic-denied');
    expect(mediaFailure(named('NotFoundError'), true)).toBe('no-device');
    expect(mediaFailure(named('OverconstrainedError'), false)).toBe('no-device');
  });

  it('anything else is a plain error, also when it is no Error at all', () => {
    expect(mediaFailure(named('NotReadableError'), true)).toBe('error');
    expect(mediaFailure(new Error('x'), false)).toBe('error');
    expect(mediaFailure(undefined, false)).toBe('error');
    expect(mediaFailure('NotAllowedError', false)).toBe('error');
  });
});

import { describe, expect, it } from 'vitest';
import { answerReoffer } from '../src/sdp.js';

const visitor = ['v=0', 'o=- 7 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=sendrecv', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=sendrecv', ''].join('\r\n');
const phone = (dirA: string, dirV: string) => ['v=0', 'o=p 1 5 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 4000 RTP/AVP 0', `a=${dirA}`, 'm=video 4002 RTP/AVP 96', `a=${dirV}`, ''].join('\r\n');

describe('answers to re-INVITEs', () => {
  it('a session refresh gets the very same description back', () => {
    expect(answerReoffer(visitor, visitor, phone('sendrecv', 'sendrecv'))).toBe(visitor);
    expect(answerReoffer(visitor, visitor, '')).toBe(visitor);
  });

  it('hold mirrors the direction and raises the version; resume goes back', () => {
    const held = answerReoffer(visitor, visitor, phone('sendonly', 'inactive'));
    expect(held).toMatch(/^o=- 7 3 IN IP4 127.0.0.1$/m);
    const dirs = held.match(/^a=(sendrecv|sendonly|recvonly|inactive)$/gm);
    expect(dirs).toEqual(['a=recvonly', 'a=inactive']);
    expect(held).toContain('a=mid:0');
    const resumed = answerReoffer(visitor, held, phone('sendrecv', 'sendrecv'));
    expect(resumed).toMatch(/^o=- 7 4 IN IP4/m);
    expect(resumed.match(/^a=(sendrecv|sendonly|recvonly|inactive)$/gm)).toEqual(['a=sendrecv', 'a=sendrecv']);
  });
});

/** IceConfig: host names, TURN REST credentials, refresh timing. */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildIceConfig, iceHost, iceRefreshDelay } from '../src/ice.js';

const NOW = 1_764_000_000_000;

describe('ice', () => {
  it('takes the host name out of STUN/TURN URLs', () => {
    expect(iceHost('stun:stun.example.com:3478')).toBe('stun.example.com');
    expect(iceHost('turns:turn.example.com:5349?transport=tcp')).toBe('turn.example.com');
    expect(iceHost('turn:[::1]:3478')).toBe('::1');
    expect(iceHost('stun:10.0.0.1')).toBe('10.0.0.1');
    expect(iceHost(undefined)).toBe('');
  });

  it('derives TURN REST credentials as coturn use-auth-secret expects', () => {
    const m = buildIceConfig({ stunUrls: ['stun:s.example.com'], turnUrls: ['turn:t.example.com:3478', 'turns:t.example.com:5349'], turnSecret: 'secret', turnTtlS: 3600 }, NOW);
    expect(m).toMatchObject({ mt: 'IceConfig', stun: 's.example.com', turn: 't.example.com' });
    expect(m.iceServers[0]).toEqual({ urls: ['stun:s.example.com'] });
    const turn = m.iceServers[1]!;
    const expiry = Math.ceil(NOW / 1000) + 3600;
    expect(turn.username).toBe(`${expiry}:cw`);
    expect(turn.credential).toBe(crypto.createHmac('sha1', 'secret').update(`${expiry}:cw`).digest('base64'));
    expect(m.expires).toBe(expiry * 1000);
    expect(iceRefreshDelay(m, NOW)).toBe(Math.floor((expiry * 1000 - NOW) * 0.8));
  });

  it('honours a short TTL: the credentials live at least that long and are renewed before they expire', () => {
    const now = NOW + 999;
    const m = buildIceConfig({ stunUrls: [], turnUrls: ['turn:t.example.com'], turnSecret: 's', turnTtlS: 3 }, now);
    expect(m.expires! - now).toBeGreaterThanOrEqual(3000);
    const d = iceRefreshDelay(m, now)!;
    expect(d).toBeLessThan(m.expires! - now);
    expect(d).toBeGreaterThan(2000);
  });

  it('leaves TURN out without a secret, and never expires then', () => {
    const m = buildIceConfig({ stunUrls: [], turnUrls: ['turn:t.example.com'], turnSecret: undefined, turnTtlS: 3600 }, NOW);
    expect(m).toEqual({ mt: 'IceConfig', stun: '', turn: 't.example.com', iceServers: [] });
    expect(iceRefreshDelay(m, NOW)).toBeUndefined();
  });
});

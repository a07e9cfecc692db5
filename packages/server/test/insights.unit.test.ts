/** Small pure parts of section 12: the retry policy, signatures, the audit diff. */
import { describe, expect, it } from 'vitest';
import { exponentialRetry } from '../src/webhooks/retry-policy.js';
import { signatureHeader, verifySignature } from '../src/webhooks/signature.js';
import { auditDiff, secretFieldsOf } from '../src/audit/diff.js';

describe('webhook retry policy', () => {
  const H = 3_600_000;
  const p = exponentialRetry(10_000, 72 * H, H, () => 0.5);

  it('doubles from the base up to the cap, and gives up after the maximum age', () => {
    expect([1, 2, 3, 4].map((a) => p.next(a, 0))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(p.next(20, 0)).toBe(H);
    expect(p.next(3, 72 * H)).toBeNull();
    // Never past the maximum age.
    expect(p.next(20, 72 * H - 5000)).toBe(5000);
  });

  it('keeps retrying for at least 24 hours', () => {
    let age = 0;
    let attempt = 1;
    for (let d = p.next(attempt, age); d !== null; d = p.next(++attempt, age)) age += d;
    expect(age).toBeGreaterThanOrEqual(24 * H);
    expect(attempt).toBeGreaterThan(20);
  });

  it('spreads retries by ±10 %', () => {
    const lo = exponentialRetry(10_000, H, H, () => 0).next(1, 0)!;
    const hi = exponentialRetry(10_000, H, H, () => 0.999).next(1, 0)!;
    expect(lo).toBe(9000);
    expect(hi).toBeGreaterThan(10_900);
  });
});

describe('webhook signatures', () => {
  const body = '{"id":"dlv_1","event":"call.ended","ts":1,"data":{}}';
  it('is t=<seconds>,v1=<hex HMAC-SHA256(secret, t.body)>', () => {
    const h = signatureHeader('whsec_x', 1_700_000_000, body);
    expect(h).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature('whsec_x', h, body, 1_700_000_100)).toBe(true);
    expect(verifySignature('whsec_y', h, body, 1_700_000_100)).toBe(false);
    expect(verifySignature('whsec_x', h, body.replace('1', '2'), 1_700_000_100)).toBe(false);
    // Replayed later than the tolerance.
    expect(verifySignature('whsec_x', h, body, 1_700_000_000 + 301)).toBe(false);
    expect(verifySignature('whsec_x', 'garbage', body)).toBe(false);
  });
});

describe('audit diff', () => {
  it('lists changed leaves by path, masks secrets and summarises pictures', () => {
    const before = { name: 'A', appearance: { colors: { primary: '#111' } }, agents: [{ sipId: 'x', media: ['chat'] }], passwordHash: 'h1', secret: 's1' };
    const after = { name: 'A', appearance: { colors: { primary: '#222' } }, agents: [{ sipId: 'x', media: ['chat', 'voice'] }, { sipId: 'y', media: [], picture: 'data:image/jpeg;base64,AAAA' }], passwordHash: 'h1', secret: 's2' };
    expect(auditDiff(before, after)).toEqual({
      'appearance.colors.primary': { from: '#111', to: '#222' },
      'agents[0].media': { from: ['chat'], to: ['chat', 'voice'] },
      'agents[1].sipId': { to: 'y' },
      'agents[1].media': { to: [] },
      'agents[1].picture': { to: expect.stringMatching(/^image\/jpeg picture, 0 KiB, sha256 [0-9a-f]{12}$/) },
      secret: { from: '***', to: '***' },
    });
    expect(auditDiff(undefined, { a: 1 })).toEqual({ a: { to: 1 } });
    expect(auditDiff({ a: 1 }, undefined)).toEqual({ a: { from: 1 } });
    expect(secretFieldsOf({ password: 'p', name: 'n', token: '' })).toEqual({ password: { from: '***', to: '***' } });
  });
});

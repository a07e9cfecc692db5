import { describe, expect, it } from 'vitest';
import { causeForStatus, domainUri, isSipDomain, parsePeerAddress, targetUri } from '../src/index.js';

describe('addresses', () => {
  it('reads registrar URIs and WebSocket URLs with their transport and default port', () => {
    expect(parsePeerAddress('sip:pbx.example.com;transport=tcp')).toMatchObject({ transport: 'tcp', host: 'pbx.example.com', port: 5060 });
    expect(parsePeerAddress('sip:10.0.0.1:5080')).toMatchObject({ transport: 'udp', host: '10.0.0.1', port: 5080 });
    expect(parsePeerAddress('sips:pbx.example.com')).toMatchObject({ transport: 'tls', port: 5061 });
    expect(parsePeerAddress('sip:pbx.example.com;transport=WSS')).toMatchObject({ transport: 'wss', port: 443, url: 'wss://pbx.example.com:443/' });
    expect(parsePeerAddress('wss://pbx.example.com:8089/ws')).toMatchObject({ transport: 'wss', port: 8089, url: 'wss://pbx.example.com:8089/ws' });
    expect(() => parsePeerAddress('http://pbx')).toThrow(/SIP URI/);
    expect(() => parsePeerAddress('sip:pbx;transport=sctp')).toThrow(/unknown transport "sctp"/);
  });

  it('dials a SIP-ID at the domain, or a full address as is', () => {
    expect(targetUri('atlantis', 'pbx.example.com').toString()).toBe('sip:atlantis@pbx.example.com');
    expect(targetUri('200@other.example.com', 'pbx.example.com').toString()).toBe('sip:200@other.example.com');
    expect(targetUri('sip:200@10.0.0.2:5070', 'x').toString()).toBe('sip:200@10.0.0.2:5070');
    expect(() => targetUri('sip:nouser.example.com', 'x')).toThrow(/dialable/);
    expect(domainUri('pbx.example.com:5080').toString()).toBe('sip:pbx.example.com:5080');
    expect(isSipDomain('pbx.example.com')).toBe(true);
    expect(isSipDomain('a b')).toBe(false);
    expect(isSipDomain('user@pbx')).toBe(false);
  });

  it('maps final answers onto call causes (spec 9)', () => {
    expect([486, 600, 603, 404, 480, 410, 487, 488, 500].map(causeForStatus)).toEqual(['busy', 'busy', 'rejected', 'unavailable', 'unavailable', 'unavailable', 'no-answer', 'error', 'error']);
  });
});

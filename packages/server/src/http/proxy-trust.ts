/**
 * Which reverse proxies are believed (spec section 6, `TRUST_PROXY`), and the
 * client address that follows, for HTTP requests and WebSocket upgrades
 * alike. `true` ("believe anyone") is not offered: with it a client names its
 * own address in `X-Forwarded-For` and walks round every per-address limit
 * (issue 11.2). A hop count trusts that many proxies nearest to the server;
 * a list trusts exactly those addresses/CIDRs. Either way the client address
 * is the one the nearest untrusted hop had, i.e. the one the outermost
 * trusted proxy saw.
 */
import type { IncomingMessage } from 'node:http';
import proxyaddr from '@fastify/proxy-addr';

/** false: no proxy; a number: that many proxies in front; a list: their addresses, CIDRs or the names loopback/linklocal/uniquelocal. */
export type TrustProxy = false | number | string[];

export type TrustFn = (addr: string, hop: number) => boolean;

const NOBODY: TrustFn = () => false;

/** The trust function for Fastify's `trustProxy` and for upgrades. */
export function trustFunction(t: TrustProxy): TrustFn {
  if (t === false) return NOBODY;
  if (typeof t === 'number') {
    const n = t;
    return (_addr, hop) => hop < n;
  }
  return proxyaddr.compile(t);
}

/** Parses TRUST_PROXY; throws with the reason for `true` or a malformed address. */
export function parseTrustProxy(v: string | undefined): TrustProxy {
  const s = (v ?? '').trim();
  if (s === '' || /^(false|no|off|0)$/i.test(s)) return false;
  if (/^(true|yes|on)$/i.test(s))
    throw new Error(
      'TRUST_PROXY=true would believe the X-Forwarded-For of any client, who could then pick its own address. ' +
        'Set the number of proxies in front of the server (usually 1) or their addresses/CIDRs, e.g. TRUST_PROXY=127.0.0.1 or TRUST_PROXY=10.0.0.0/8',
    );
  if (/^\d+$/.test(s)) return Number(s);
  const list = s.split(/[\s,]+/).filter(Boolean);
  try {
    proxyaddr.compile(list);
  } catch (err) {
    throw new Error(`TRUST_PROXY must be a number of proxies or a list of addresses/CIDRs: ${(err as Error).message}`);
  }
  return list;
}

/** The client's address: the socket's peer, or what the trusted proxies in front say it was. */
export function clientAddress(req: IncomingMessage, trust: TrustFn): string {
  return proxyaddr(req, trust) ?? req.socket.remoteAddress ?? '';
}

/** True when the socket's peer is a trusted proxy (so its X-Forwarded-Host may be believed). */
export function fromTrustedProxy(req: IncomingMessage, trust: TrustFn): boolean {
  const peer = req.socket.remoteAddress;
  return peer !== undefined && trust(peer, 0);
}

const privateNet = proxyaddr.compile(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Watches for requests that look proxied while no proxy is trusted: then
 * every visitor shares the proxy's address (and its limits). Calls `warn`
 * once, for the first such request.
 */
export function proxyMisconfigWatch(trust: TrustProxy, warn: (peer: string) => void): (req: IncomingMessage) => void {
  if (trust !== false) return () => {};
  let warned = false;
  return (req) => {
    if (warned || req.headers['x-forwarded-for'] === undefined) return;
    const peer = req.socket.remoteAddress;
    if (!peer || !privateNet(peer.replace(/^::ffff:/, ''), 0)) return;
    warned = true;
    warn(peer);
  };
}

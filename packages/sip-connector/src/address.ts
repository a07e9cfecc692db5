/**
 * Where the PBX is: a registrar or proxy given as a SIP URI
 * (`sip:pbx.example.com:5060;transport=tcp`, `sips:pbx.example.com`) or as a
 * WebSocket URL (`wss://pbx.example.com:8089/ws`). SIP URIs are parsed by
 * SIP.js's grammar; no DNS SRV/NAPTR: the host is looked up as a name.
 */
import { Grammar, URI } from 'sip.js/lib/core/index.js';
import type { SipTransportKind } from './types.js';

export interface PeerAddress {
  transport: SipTransportKind;
  host: string;
  port: number;
  /** For ws/wss: the URL to open. */
  url?: string;
  /** The SIP URI form (for Route headers and the REGISTER request URI). */
  uri: URI;
}

const DEFAULT_PORT: Record<SipTransportKind, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };
const TRANSPORTS = new Set<string>(['udp', 'tcp', 'tls', 'ws', 'wss']);

/** Parses a registrar/proxy address; throws an Error whose message says what is wrong. */
export function parsePeerAddress(text: string): PeerAddress {
  const s = text.trim();
  if (/^wss?:\/\//i.test(s)) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new Error(`not a valid WebSocket URL: ${s}`);
    }
    const transport = url.protocol === 'wss:' ? 'wss' : 'ws';
    const port = url.port ? Number(url.port) : DEFAULT_PORT[transport];
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const uri = new URI('sip', '', host, port, { transport, lr: null });
    return { transport, host, port, url: url.toString(), uri };
  }
  const parsed = Grammar.URIParse(s);
  if (!parsed || !(parsed instanceof URI)) throw new Error(`not a SIP URI (sip:host[:port][;transport=udp|tcp|tls|ws|wss]) or ws(s):// URL: ${s}`);
  const param = parsed.getParam('transport');
  const given = typeof param === 'string' ? param.toLowerCase() : undefined;
  if (given !== undefined && !TRANSPORTS.has(given)) throw new Error(`unknown transport "${given}" (udp, tcp, tls, ws or wss)`);
  let transport = (given ?? (parsed.scheme === 'sips' ? 'tls' : 'udp')) as SipTransportKind;
  if (parsed.scheme === 'sips' && transport === 'tcp') transport = 'tls';
  if (parsed.scheme === 'sips' && transport === 'ws') transport = 'wss';
  const host = parsed.host.replace(/^\[|\]$/g, '');
  if (!host) throw new Error(`no host in ${s}`);
  const port = parsed.port ?? DEFAULT_PORT[transport];
  const url = transport === 'ws' || transport === 'wss' ? `${transport}://${hostForUrl(host)}:${port}/` : undefined;
  const uri = new URI('sip', '', host, port, { transport, lr: null });
  return { transport, host, port, url, uri };
}

/** Parses a target: `sip:user@host`, or a bare `user` / `user@host` resolved against the domain. */
export function targetUri(target: string, domain: string): URI {
  const t = target.trim();
  const text = /^sips?:/i.test(t) ? t : t.includes('@') ? `sip:${t}` : `sip:${t}@${domain}`;
  const uri = Grammar.URIParse(text);
  if (!uri || !(uri instanceof URI) || !uri.user) throw new Error(`not a dialable SIP address: ${target}`);
  return uri;
}

/** `sip:<domain>`: the REGISTER request URI (RFC 3261 §10.2). */
export function domainUri(domain: string): URI {
  const uri = Grammar.URIParse(`sip:${domain.trim()}`);
  if (!uri || !(uri instanceof URI) || uri.user) throw new Error(`not a SIP domain: ${domain}`);
  return uri;
}

/** True when the text is a host name or IP address usable as a SIP domain. */
export function isSipDomain(text: string): boolean {
  const uri = Grammar.URIParse(`sip:${text}`);
  return !!uri && uri instanceof URI && uri.host.length > 0 && !text.includes('@') && !/[;?\s]/.test(text);
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * IceConfig for both channels: STUN/TURN host names (original protocol) plus a
 * ready RTCIceServer[] with short-lived TURN REST credentials, the scheme of
 * coturn's `use-auth-secret`: username = "<expiry unix seconds>:cw",
 * credential = base64(HMAC-SHA1(secret, username)).
 */
import crypto from 'node:crypto';
import type { IceConfigMsg } from '@cw/protocol';
import type { Clock } from './clock.js';
import type { Config } from './config.js';

/** The host name inside a STUN/TURN URL such as `turn:turn.example.com:3478?transport=udp`. */
export function iceHost(url: string | undefined): string {
  if (!url) return '';
  let rest = url.replace(/^[a-z]+:(\/\/)?/i, '');
  rest = rest.split('?')[0]!;
  const at = rest.lastIndexOf('@');
  if (at >= 0) rest = rest.slice(at + 1);
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    return end > 0 ? rest.slice(1, end) : rest;
  }
  return rest.split(':')[0] ?? '';
}

/** TURN REST credentials valid until `expiresS` (unix seconds). */
export function turnCredentials(secret: string, expiresS: number): { username: string; credential: string } {
  const username = `${expiresS}:cw`;
  const credential = crypto.createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

type IceConf = Pick<Config, 'stunUrls' | 'turnUrls' | 'turnSecret' | 'turnTtlS'>;

/** Builds the IceConfig message for `now` (ms). */
export function buildIceConfig(config: IceConf, now: number): IceConfigMsg {
  const msg: IceConfigMsg = { mt: 'IceConfig', stun: iceHost(config.stunUrls[0]), turn: iceHost(config.turnUrls[0]), iceServers: [] };
  if (config.stunUrls.length) msg.iceServers.push({ urls: [...config.stunUrls] });
  // A TURN URL without credentials makes RTCPeerConnection throw, so TURN is
  // only listed when a secret lets us derive them.
  if (config.turnUrls.length && config.turnSecret) {
    // Honour small TTLs (operators and test clients shorten it to watch the
    // refresh); 2 s keeps the expiry after the 1 s minimum refresh delay.
    // Rounded up to whole seconds, so the credentials live at least the configured TTL (at least 2 s).
    const expiresS = Math.ceil((now + Math.max(2, config.turnTtlS) * 1000) / 1000);
    msg.iceServers.push({ urls: [...config.turnUrls], ...turnCredentials(config.turnSecret, expiresS) });
    msg.expires = expiresS * 1000;
  }
  return msg;
}

/** When to send a fresh IceConfig: at 80 % of the credentials' lifetime; undefined when they never expire. */
export function iceRefreshDelay(msg: IceConfigMsg, now: number): number | undefined {
  if (msg.expires === undefined) return undefined;
  return Math.max(200, Math.floor((msg.expires - now) * 0.8));
}

/**
 * Sends an IceConfig now and a fresh one before each set of credentials
 * expires, while `open()` holds (both channels do exactly this). Returns the
 * handle that stops the refreshes, or undefined when the credentials never
 * expire (nothing is kept per socket then).
 */
export function sendIceAndRefresh(config: IceConf, clock: Clock, send: (msg: IceConfigMsg) => void, open: () => boolean): { cancel(): void } | undefined {
  let timer: { cancel(): void } | undefined;
  let stopped = false;
  const tick = (): boolean => {
    const now = clock.now();
    const msg = buildIceConfig(config, now);
    send(msg);
    const delay = iceRefreshDelay(msg, now);
    if (delay === undefined || stopped || !open()) return false;
    timer = clock.setTimeout(tick, delay);
    return true;
  };
  if (!tick()) return undefined;
  return {
    cancel() {
      stopped = true;
      timer?.cancel();
    },
  };
}

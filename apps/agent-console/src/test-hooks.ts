/**
 * A hook for end-to-end tests, registered only when the page URL has
 * `?test=1`: lets Playwright reach the live RTCPeerConnection (getStats)
 * and the ring tone state through page.evaluate, without a debug UI.
 */
import type { ConsoleStore } from './state/store.js';

export interface ConsoleTestHooks {
  /** the peer connection of the current call, or null */
  peer(): RTCPeerConnection | null;
  /** true while the ring tone is on */
  ringing(): boolean;
  /** inbound-rtp bytesReceived per kind for the current call */
  inboundBytes(): Promise<{ audio: number; video: number } | null>;
}

declare global {
  interface Window {
    __cwConsoleTest?: ConsoleTestHooks;
  }
}

export function registerTestHooks(store: ConsoleStore): () => void {
  if (new URLSearchParams(location.search).get('test') !== '1') return () => {};
  const hooks: ConsoleTestHooks = {
    peer: () => store.calls.peer,
    ringing: () => store.ringtone.ringing,
    async inboundBytes() {
      const peer = store.calls.peer;
      if (!peer) return null;
      const out = { audio: 0, video: 0 };
      (await peer.getStats()).forEach((r: { type: string; kind?: string; bytesReceived?: number }) => {
        if (r.type === 'inbound-rtp' && (r.kind === 'audio' || r.kind === 'video')) out[r.kind] += r.bytesReceived ?? 0;
      });
      return out;
    },
  };
  window.__cwConsoleTest = hooks;
  return () => {
    if (window.__cwConsoleTest === hooks) delete window.__cwConsoleTest;
  };
}

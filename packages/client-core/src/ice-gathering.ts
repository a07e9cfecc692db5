/**
 * The wait for ICE gathering before a complete SDP is sent (no trickle, spec 1).
 *
 * Measured in Chromium on loopback: with no iceServers, or reachable ones,
 * gathering completes 120–250 ms after setLocalDescription (the TCP host
 * candidates come ~110 ms after the UDP ones); an answerer completes as soon
 * as ICE connects. But one unreachable STUN/TURN URL keeps an offerer
 * "gathering" for tens of seconds, even when another server already gave a
 * relay. So the wait also ends once the best candidate the configured servers
 * can give has arrived (relay with TURN, srflx with only STUN, host with none)
 * on every m-line that has candidates and no new candidate came for a short
 * quiet period; and at the cap whatever happens (a server may just be slow).
 */

/** Longest wait for ICE gathering before sending what we have. */
export const ICE_GATHER_CAP_MS = 2000;
/** Quiet time after the expected candidates before the wait ends early. */
export const ICE_QUIET_MS = 200;

/** The part of RTCPeerConnection the wait uses (so tests can pass a fake). */
export type GatheringPeer = Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & { readonly iceGatheringState: string };

/** The candidate type that means "the servers have answered": relay with TURN, srflx with only STUN, host with none. */
export function expectedCandidateType(iceServers: readonly RTCIceServer[] = []): 'relay' | 'srflx' | 'host' {
  const urls = iceServers.flatMap((s) => s.urls);
  return urls.some((u) => /^turns?:/i.test(u)) ? 'relay' : urls.some((u) => /^stuns?:/i.test(u)) ? 'srflx' : 'host';
}

/**
 * Resolves when ICE gathering is complete, or once the expected candidates
 * are in and `quietMs` passed without another, or after `capMs` at the latest.
 */
export function iceGathered(peer: GatheringPeer, iceServers?: readonly RTCIceServer[], capMs = ICE_GATHER_CAP_MS, quietMs = ICE_QUIET_MS): Promise<void> {
  if (peer.iceGatheringState === 'complete') return Promise.resolve();
  const want = expectedCandidateType(iceServers);
  // Per m-line (sdpMid): has the expected type arrived yet?
  const mids = new Map<string, boolean>();
  return new Promise((resolve) => {
    let quiet: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      clearTimeout(cap);
      clearTimeout(quiet);
      peer.removeEventListener('icegatheringstatechange', onState);
      peer.removeEventListener('icecandidate', onCandidate);
      resolve();
    };
    const onState = () => {
      if (peer.iceGatheringState === 'complete') done();
    };
    const onCandidate = (e: Event) => {
      const c = (e as Partial<RTCPeerConnectionIceEvent>).candidate;
      // A null candidate marks the end of gathering too; an empty one only the end of one m-line's.
      if (!c) return done();
      if (!c.candidate) return;
      const mid = c.sdpMid ?? '';
      const type = c.type || / typ (\w+)/.exec(c.candidate)?.[1];
      mids.set(mid, mids.get(mid) || type === want);
      clearTimeout(quiet);
      if (![...mids.values()].includes(false)) quiet = setTimeout(done, quietMs);
    };
    const cap = setTimeout(done, capMs);
    peer.addEventListener('icegatheringstatechange', onState);
    peer.addEventListener('icecandidate', onCandidate);
  });
}

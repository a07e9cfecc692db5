/**
 * A stand-in for RTCPeerConnection (and MediaStream) in unit tests of the
 * clients' calls: it records what was done to it in order, fires events on
 * demand, and completes ICE gathering when the test says so (or at once,
 * with `FakePeerConnection.gatherAtOnce`).
 */
type Listener = (e: { track?: unknown }) => void;

export class FakePeerConnection {
  static last: FakePeerConnection;
  /** complete ICE gathering in setLocalDescription (else only finishGathering() does) */
  static gatherAtOnce = false;
  /** what was done, in order: "addTrack audio", "createOffer", "local offer", "remote answer", "close", … */
  log: string[] = [];
  iceGatheringState = 'new';
  signalingState = 'stable';
  connectionState = 'new';
  localDescription: { sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  listeners = new Map<string, Listener[]>();

  constructor(readonly config: RTCConfiguration) {
    FakePeerConnection.last = this;
  }

  get tracks(): number {
    return this.log.filter((x) => x.startsWith('addTrack')).length;
  }

  get closed(): boolean {
    return this.log.includes('close');
  }

  addEventListener(ev: string, fn: Listener): void {
    this.listeners.set(ev, [...(this.listeners.get(ev) ?? []), fn]);
  }

  removeEventListener(ev: string, fn: Listener): void {
    this.listeners.set(ev, (this.listeners.get(ev) ?? []).filter((x) => x !== fn));
  }

  /** Fires an event at the listeners. */
  fire(ev: string, e: { track?: unknown } = {}): void {
    for (const fn of this.listeners.get(ev) ?? []) fn(e);
  }

  /** the senders addTrack made (replaceTrack is logged) */
  senders: { track: unknown; replaceTrack(t: unknown): Promise<void> }[] = [];

  addTrack(t: { kind?: string }): void {
    this.log.push(`addTrack ${t.kind ?? ''}`.trim());
    const log = this.log;
    this.senders.push({
      track: t,
      async replaceTrack(n: { kind?: string }) {
        log.push(`replaceTrack ${n.kind ?? ''}`.trim());
        this.track = n;
      },
    });
  }

  getSenders() {
    return this.senders;
  }

  async createOffer() {
    this.log.push('createOffer');
    return { type: 'offer', sdp: 'v=0 offer' };
  }

  async createAnswer() {
    this.log.push('createAnswer');
    return { type: 'answer', sdp: 'v=0 answer' };
  }

  async setLocalDescription(d: { type: string; sdp: string }): Promise<void> {
    this.log.push(`local ${d.type}`);
    this.localDescription = { sdp: `${d.sdp} +candidates` };
    this.signalingState = d.type === 'offer' ? 'have-local-offer' : 'stable';
    this.iceGatheringState = FakePeerConnection.gatherAtOnce ? 'complete' : 'gathering';
  }

  async setRemoteDescription(d: { type: string; sdp: string }): Promise<void> {
    this.log.push(`remote ${d.type}`);
    this.remoteDescription = d;
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
  }

  /** ICE gathering completes now. */
  finishGathering(): void {
    this.iceGatheringState = 'complete';
    this.fire('icegatheringstatechange');
  }

  close(): void {
    this.log.push('close');
  }
}

/** A fake media track: enabled flag, stop(), the device it comes from. */
export interface FakeTrack {
  kind: string;
  enabled: boolean;
  stopped: boolean;
  stop(): void;
  getSettings(): { deviceId: string };
}

export function fakeTrack(kind: string, deviceId = `${kind}-default`): FakeTrack {
  return {
    kind,
    enabled: true,
    stopped: false,
    stop() {
      this.stopped = true;
    },
    getSettings: () => ({ deviceId }),
  };
}

/** A MediaStream stand-in holding fake tracks. */
export class FakeMediaStream {
  tracks: FakeTrack[] = [];
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = [...tracks];
  }
  getTracks(): FakeTrack[] {
    return this.tracks;
  }
  getAudioTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === 'video');
  }
  addTrack(t: FakeTrack): void {
    this.tracks.push(t);
  }
  removeTrack(t: FakeTrack): void {
    this.tracks = this.tracks.filter((x) => x !== t);
  }
}

/**
 * What the chat and call UI render and the actions they may take — apart
 * from model.ts, because the lazily loaded conversation code needs these
 * types while model.ts refers to that code's module type (no import cycle).
 */
import type { DeviceKind, DeviceOption, MediaFailure, TranscriptLine } from '@cw/client-core';

export type Action = 'chat' | 'voice' | 'video';

export interface ChatView {
  id?: string;
  agent: string;
  agentDn: string;
  state: 'starting' | 'waiting' | 'accepted' | 'closed' | 'lost';
  by?: 'visitor' | 'agent' | 'system';
  /** the transcript (client-core); the visitor's own lines carry their delivery state */
  lines: TranscriptLine[];
  peerTyping: boolean;
  draft: string;
}

export type CallPhase = 'media' | 'calling' | 'alerting' | 'connected' | 'ended';
export type EndReason =
  | 'busy'
  | 'rejected'
  | 'no-answer'
  | 'unavailable'
  | 'remote-hangup'
  | MediaFailure
  | 'network'
  | 'hangup'
  | 'ended';

export interface CallView {
  agent: string;
  agentDn: string;
  video: boolean;
  phase: CallPhase;
  reason?: EndReason;
  muted: boolean;
  cameraOff: boolean;
  connectedAt?: number;
  local: MediaStream | null;
  remote: MediaStream | null;
  /** the microphones and cameras to choose from, and the ones in use ('' unknown) */
  devices?: Record<DeviceKind, DeviceOption[]>;
  mic?: string;
  cam?: string;
  deviceFailed?: boolean;
}

/** The agent of a chat or call as the sidebar shows them (issue 15: picture, name and status in the header). */
export interface PeerView {
  picture?: string | undefined;
  /** "Available", "Busy", … */
  stateText: string;
  presence: 'online' | 'busy' | 'offline';
}

/** Issue 15, no dead ends: what the visitor can do when a call or chat did not happen. */
export interface NextSteps {
  /** the same agent offers chat and is available */
  chatInstead?: () => void;
  /** another available agent (same kind of contact) */
  other?: { dn: string; go: () => void };
  /** the widget's offline form (spec 11), when it takes messages */
  leave?: () => void;
}

/** The offline form's progress (spec 11). */
export interface OfflineView {
  phase: 'idle' | 'sending' | 'sent' | 'error';
  error?: 'failed' | 'limited';
}

export interface OfflineInput {
  name: string;
  email: string;
  text: string;
  consent: boolean;
  hp: string;
}

export interface Actions {
  setExpanded(open: boolean): void;
  /** Starts loading the chat/call code before the visitor needs it. */
  prefetch(): void;
  /** The agents whose cards are on screen (their pictures are asked for). */
  showing(ids: string[]): void;
  choose(agent: string, action: Action): void;
  submitName(dn: string, email: string): void;
  back(): void;
  sendChat(text: string): void;
  setDraft(text: string): void;
  endChat(): void;
  hangUp(): void;
  toggleMute(): void;
  toggleCamera(): void;
  setDevice(kind: DeviceKind, id: string): void;
  /** spec 11: show the offline form, send it, ask for a chat's transcript */
  openOffline(): void;
  sendOffline(input: OfflineInput): void;
  sendTranscript(email: string): void;
}

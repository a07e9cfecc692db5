/**
 * What the chat and call UI render and the actions they may take — apart
 * from model.ts, because the lazily loaded conversation code needs these
 * types while model.ts refers to that code's module type (no import cycle).
 */
export type Action = 'chat' | 'voice' | 'video';

/** One chat line as shown. `status` applies to the visitor's own lines. */
export interface ChatLine {
  key: string;
  from: 'visitor' | 'agent' | 'system';
  dn: string;
  text: string;
  ts: number;
  status?: 'sending' | 'sent';
  cid?: string;
  id?: string;
}

export interface ChatView {
  id?: string;
  agent: string;
  agentDn: string;
  state: 'starting' | 'waiting' | 'accepted' | 'closed' | 'lost';
  by?: 'visitor' | 'agent' | 'system';
  lines: ChatLine[];
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
  | 'error'
  | 'mic-denied'
  | 'cam-denied'
  | 'no-device'
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
}

export interface Actions {
  setExpanded(open: boolean): void;
  /** Starts loading the chat/call code before the visitor needs it. */
  prefetch(): void;
  choose(agent: string, action: Action): void;
  submitName(dn: string, email: string): void;
  back(): void;
  sendChat(text: string): void;
  setDraft(text: string): void;
  endChat(): void;
  hangUp(): void;
  toggleMute(): void;
  toggleCamera(): void;
}

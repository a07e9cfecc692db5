/**
 * Agent-side call inputs in a cluster. A call lives in its owner process
 * (the visitor's; the call id starts with the owner's node id). A console on
 * another process sends AcceptCall, RejectCall or ClearCall to its own
 * process, which hands them to the owner over the bus (topic
 * `node:<owner>`); the owner decides as if the console were its own, and a
 * refusal (no-call) goes back to that console as an Error. A console that
 * disconnects is announced to every process, so that calls ringing it
 * anywhere stop ringing it.
 */
import { errorMsg } from '@cw/protocol';
import type { Logger } from 'pino';
import type { Bus } from '../bus/types.js';
import type { CallManager } from '../calls/call-manager.js';
import type { Outbox } from '../domain/outbox.js';
import { WireError } from '../domain/wire-error.js';

/** What the agent gateway calls for calls (CallManager itself in one process). */
export type AgentCalls = Pick<CallManager, 'handleAccept' | 'handleReject' | 'handleAgentClear' | 'handleConsoleGone'>;

/** Cluster-wide topic: what every process must hear (a console gone, a process gone). */
export const CLUSTER_TOPIC = 'cluster';

export type ClusterEvent = { t: 'console-gone'; node: string; consoleId: string } | { t: 'node-gone'; node: string; reaper: string };

/** Sent to the owner of a call on `node:<owner>`. */
type CallInput =
  | { t: 'accept'; consoleId: string; callId: string; sdp: string }
  | { t: 'reject'; consoleId: string; callId: string }
  | { t: 'clear'; consoleId: string; callId: string };

export const nodeTopic = (node: string) => `node:${node}`;

/** The owner's node id of a cluster call id ("<node>.<uuid>"), or undefined. */
export function callOwner(callId: string): string | undefined {
  const i = callId.indexOf('.');
  return i > 0 ? callId.slice(0, i) : undefined;
}

export class CallRouter implements AgentCalls {
  readonly #off: () => void;

  constructor(
    private readonly d: { calls: CallManager; bus: Bus; outbox: Outbox; node: string; logger: Logger },
  ) {
    this.#off = d.bus.subscribe(nodeTopic(d.node), (m) => this.#input(m as CallInput));
  }

  handleAccept(consoleId: string, callId: string, sdp: string): void {
    if (this.#local(callId)) return this.d.calls.handleAccept(consoleId, callId, sdp);
    this.#forward(callId, { t: 'accept', consoleId, callId, sdp });
  }

  handleReject(consoleId: string, callId: string): void {
    if (this.#local(callId)) return this.d.calls.handleReject(consoleId, callId);
    this.#forward(callId, { t: 'reject', consoleId, callId });
  }

  handleAgentClear(consoleId: string, callId: string): void {
    if (this.#local(callId)) return this.d.calls.handleAgentClear(consoleId, callId);
    this.#forward(callId, { t: 'clear', consoleId, callId });
  }

  handleConsoleGone(consoleId: string): void {
    this.d.calls.handleConsoleGone(consoleId);
    this.d.bus.publish(CLUSTER_TOPIC, { t: 'console-gone', node: this.d.node, consoleId } satisfies ClusterEvent);
  }

  stop(): void {
    this.#off();
  }

  /** Calls without an owner prefix (never from this cluster) are refused by the local manager: no-call. */
  #local(callId: string): boolean {
    const owner = callOwner(callId);
    return owner === undefined || owner === this.d.node;
  }

  #forward(callId: string, input: CallInput): void {
    this.d.bus.publish(nodeTopic(callOwner(callId)!), input);
  }

  /** On the owner: an input from a console of another process. */
  #input(m: CallInput): void {
    if (!m || typeof m !== 'object' || typeof m.consoleId !== 'string' || typeof m.callId !== 'string') return;
    const ref = m.t === 'accept' ? 'AcceptCall' : m.t === 'reject' ? 'RejectCall' : 'ClearCall';
    try {
      if (m.t === 'accept') this.d.calls.handleAccept(m.consoleId, m.callId, String(m.sdp));
      else if (m.t === 'reject') this.d.calls.handleReject(m.consoleId, m.callId);
      else if (m.t === 'clear') this.d.calls.handleAgentClear(m.consoleId, m.callId);
    } catch (err) {
      if (err instanceof WireError) this.d.outbox.toConsole(m.consoleId, errorMsg(err.code, err.message, ref));
      else {
        this.d.logger.error({ err, input: m.t }, 'forwarded call input failed');
        this.d.outbox.toConsole(m.consoleId, errorMsg('internal', 'the server could not handle this message', ref));
      }
    }
  }
}

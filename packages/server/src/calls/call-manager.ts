/**
 * Calls between a visitor socket and agent consoles (spec 2.2, 3 and 8) as a
 * state machine: inputs arrive through handle* methods, outputs leave through
 * the Outbox; no sockets here. Timers come from the injected clock.
 *
 *   CreateCall → pending ──Channels──▶ ringing ──AcceptCall──▶ connected
 *                   │                     │                        │
 *                   └──── terminated ◀────┴────────────────────────┘
 *
 * Cluster mode will need: calls keyed in shared storage (Redis) with one
 * owning process per call (the visitor's), and console ids resolved through
 * the shared console registry; Outbox messages already travel on the bus.
 */
import crypto from 'node:crypto';
import type { CallCause, CallInfoMsg } from '@cw/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { CallLogRepo } from '../storage/types.js';
import type { Outbox } from '../realtime/outbox.js';
import { WireError } from '../realtime/wire-error.js';

/** What the gateway decided from availability before the call starts. */
export type CallVerdict = 'ring' | 'busy' | 'unavailable';

export interface CallManagerDeps {
  clock: Clock;
  ringTimeoutMs: number;
  outbox: Outbox;
  presence: { consolesOf(userId: string): string[]; handleCallState(userId: string, inCall: boolean): void };
  callLog: CallLogRepo;
  logger: Logger;
}

type Phase = 'pending' | 'ringing' | 'connected';

interface Call {
  id: string;
  connId: string;
  widget: { uuid: string; name: string };
  dest: string;
  dn: string;
  video: boolean;
  phase: Phase;
  /** consoleId → userId of consoles that ring */
  ringing: Map<string, string>;
  agent?: { consoleId: string; userId: string };
  timer?: { cancel(): void };
  /** the call log id, once written */
  logId: Promise<string | undefined>;
}

export interface NewCall {
  widget: { uuid: string; name: string };
  dest: string;
  dn: string;
  video: boolean;
}

export class CallManager {
  #byId = new Map<string, Call>();
  #byConn = new Map<string, Call>();
  #pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: CallManagerDeps) {}

  /** True when this visitor socket has a call. */
  hasCall(connId: string): boolean {
    return this.#byConn.has(connId);
  }

  /** The call of a visitor socket that waits for its SDP offer, if any. */
  pendingCall(connId: string): { id: string; dest: string; widgetUuid: string } | undefined {
    const c = this.#byConn.get(connId);
    return c && c.phase === 'pending' ? { id: c.id, dest: c.dest, widgetUuid: c.widget.uuid } : undefined;
  }

  /** The call a console is ringing for or connected to, for tests and diagnostics. */
  callsOfConsole(consoleId: string): string[] {
    return [...this.#byId.values()].filter((c) => c.ringing.has(consoleId) || c.agent?.consoleId === consoleId).map((c) => c.id);
  }

  /** Visitor CreateCall, after the gateway checked agent and media. Busy or unavailable agents end it at once. */
  handleCreateCall(connId: string, req: NewCall, verdict: CallVerdict): string {
    if (this.#byConn.has(connId)) throw new WireError('call-in-progress', 'a call is already in progress on this connection');
    const call: Call = {
      id: crypto.randomUUID(),
      connId,
      ...req,
      phase: 'pending',
      ringing: new Map(),
      logId: Promise.resolve(undefined),
    };
    call.logId = this.#track(
      this.deps.callLog
        .create({
          widgetUuid: req.widget.uuid,
          dest: req.dest,
          visitorDn: req.dn,
          video: req.video,
          agentUserId: null,
          startedAt: this.deps.clock.now(),
          answeredAt: null,
          endedAt: null,
          cause: null,
        })
        .then((r) => r.id),
    );
    if (verdict !== 'ring') {
      this.deps.logger.info({ call: call.id, widget: req.widget.uuid, dest: req.dest, cause: verdict }, 'call refused');
      this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: verdict });
      this.#log(call, { endedAt: this.deps.clock.now(), cause: verdict });
      return call.id;
    }
    this.#byId.set(call.id, call);
    this.#byConn.set(connId, call);
    return call.id;
  }

  /** Visitor Channels PROPOSAL: rings every console of the target users; none → unavailable. */
  handleChannels(connId: string, sdp: string, targetUserIds: string[]): void {
    const call = this.#byConn.get(connId);
    if (!call) throw new WireError('no-call', 'there is no call on this connection');
    if (call.phase !== 'pending') throw new WireError('no-call', 'the call already has its SDP offer');
    for (const userId of new Set(targetUserIds)) for (const consoleId of this.deps.presence.consolesOf(userId)) call.ringing.set(consoleId, userId);
    if (call.ringing.size === 0) {
      this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
      this.#end(call, 'unavailable');
      return;
    }
    call.phase = 'ringing';
    for (const consoleId of call.ringing.keys())
      this.deps.outbox.toConsole(consoleId, {
        mt: 'IncomingCall',
        call: call.id,
        from: { dn: call.dn },
        widget: call.widget,
        video: call.video,
        sdp,
        dest: call.dest,
      });
    this.#toVisitor(call, { mt: 'CallInfo', state: 'alerting' });
    call.timer = this.deps.clock.setTimeout(() => this.#ringTimeout(call.id), this.deps.ringTimeoutMs);
  }

  /** Agent AcceptCall: the first one wins, other ringing consoles get answered-elsewhere. */
  handleAccept(consoleId: string, callId: string, sdp: string): void {
    const call = this.#byId.get(callId);
    const userId = call?.ringing.get(consoleId);
    if (!call || call.phase !== 'ringing' || !userId) throw new WireError('no-call', 'no such call ringing on this console');
    call.timer?.cancel();
    call.phase = 'connected';
    call.agent = { consoleId, userId };
    for (const other of call.ringing.keys())
      if (other !== consoleId) this.#toConsole(other, call, 'terminated', 'answered-elsewhere');
    call.ringing.clear();
    this.#toVisitor(call, { mt: 'CallInfo', state: 'connected', cmd: 'SELECT', sdp });
    this.#toConsole(consoleId, call, 'connected');
    this.deps.presence.handleCallState(userId, true);
    this.#log(call, { agentUserId: userId, answeredAt: this.deps.clock.now() });
    this.deps.logger.info({ call: call.id, widget: call.widget.uuid, dest: call.dest, agent: userId }, 'call connected');
  }

  /** Agent RejectCall: this console stops ringing; when none rings any more the visitor hears "rejected". */
  handleReject(consoleId: string, callId: string, cause: CallCause = 'rejected'): void {
    const call = this.#byId.get(callId);
    if (!call || call.phase !== 'ringing' || !call.ringing.has(consoleId)) throw new WireError('no-call', 'no such call ringing on this console');
    call.ringing.delete(consoleId);
    this.#toConsole(consoleId, call, 'terminated', cause);
    if (call.ringing.size === 0) {
      this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'rejected' });
      this.#end(call, 'rejected');
    }
  }

  /** Agent ClearCall: hangs up its connected call (or declines a ringing one). */
  handleAgentClear(consoleId: string, callId: string): void {
    const call = this.#byId.get(callId);
    if (call?.phase === 'connected' && call.agent?.consoleId === consoleId) {
      this.#toConsole(consoleId, call, 'terminated', 'hangup');
      this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'remote-hangup' });
      this.#end(call, 'agent-hangup');
      return;
    }
    if (call?.phase === 'ringing' && call.ringing.has(consoleId)) return this.handleReject(consoleId, callId, 'hangup');
    throw new WireError('no-call', 'no such call of yours');
  }

  /** Visitor ClearCall. */
  handleVisitorClear(connId: string): void {
    const call = this.#byConn.get(connId);
    if (!call) throw new WireError('no-call', 'there is no call on this connection');
    this.#visitorEnds(call);
    this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated' });
  }

  /** The visitor socket closed: its call ends. */
  handleVisitorGone(connId: string): void {
    const call = this.#byConn.get(connId);
    if (call) this.#visitorEnds(call);
  }

  /** A console closed: its connected call ends for the visitor; it stops ringing elsewhere. */
  handleConsoleGone(consoleId: string): void {
    for (const call of [...this.#byId.values()]) {
      if (call.phase === 'connected' && call.agent?.consoleId === consoleId) {
        this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'remote-hangup' });
        this.#end(call, 'agent-gone');
      } else if (call.phase === 'ringing' && call.ringing.delete(consoleId) && call.ringing.size === 0) {
        this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
        this.#end(call, 'unavailable');
      }
    }
  }

  /** The server failed while setting up this socket's call: it ends with cause "error" on every side. */
  handleFailure(connId: string): void {
    const call = this.#byConn.get(connId);
    if (call) for (const consoleId of call.ringing.keys()) this.#toConsole(consoleId, call, 'terminated', 'error');
    this.deps.outbox.toVisitor(connId, { mt: 'CallInfo', state: 'terminated', cause: 'error' });
    if (call) this.#end(call, 'error');
  }

  /** Ends every call without messages (the sockets are closing) and waits for log writes. */
  async stop(): Promise<void> {
    for (const call of [...this.#byId.values()]) this.#end(call, 'shutdown');
    await this.settled();
  }

  /** Resolves when pending call log writes are done. */
  async settled(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  #visitorEnds(call: Call): void {
    if (call.phase === 'ringing') {
      for (const consoleId of call.ringing.keys()) this.#toConsole(consoleId, call, 'terminated', 'cancelled');
      this.#end(call, 'cancelled');
    } else if (call.phase === 'connected' && call.agent) {
      this.#toConsole(call.agent.consoleId, call, 'terminated', 'remote-hangup');
      this.#end(call, 'visitor-hangup');
    } else this.#end(call, 'cancelled');
  }

  #ringTimeout(callId: string): void {
    const call = this.#byId.get(callId);
    if (!call || call.phase !== 'ringing') return;
    for (const consoleId of call.ringing.keys()) this.#toConsole(consoleId, call, 'terminated', 'no-answer');
    this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'no-answer' });
    this.#end(call, 'no-answer');
  }

  #end(call: Call, cause: string): void {
    if (this.#byId.get(call.id) !== call && this.#byConn.get(call.connId) !== call) return;
    call.timer?.cancel();
    this.#byId.delete(call.id);
    if (this.#byConn.get(call.connId) === call) this.#byConn.delete(call.connId);
    if (call.phase === 'connected' && call.agent) this.deps.presence.handleCallState(call.agent.userId, false);
    call.ringing.clear();
    this.#log(call, { endedAt: this.deps.clock.now(), cause });
    this.deps.logger.info({ call: call.id, widget: call.widget.uuid, dest: call.dest, agent: call.agent?.userId, cause }, 'call ended');
  }

  #toVisitor(call: Call, msg: CallInfoMsg): void {
    this.deps.outbox.toVisitor(call.connId, msg);
  }

  #toConsole(consoleId: string, call: Call, state: CallInfoMsg['state'], cause?: CallCause): void {
    this.deps.outbox.toConsole(consoleId, cause ? { mt: 'CallInfo', call: call.id, state, cause } : { mt: 'CallInfo', call: call.id, state });
  }

  #log(call: Call, patch: Parameters<CallLogRepo['update']>[1]): void {
    this.#track(
      call.logId.then(async (id) => {
        if (id) await this.deps.callLog.update(id, patch);
      }),
    );
  }

  #track<T>(p: Promise<T>): Promise<T | undefined> {
    const q = p.catch((err) => {
      this.deps.logger.error({ err }, 'call log write failed');
      return undefined;
    });
    this.#pending.add(q);
    void q.finally(() => this.#pending.delete(q));
    return q;
  }
}

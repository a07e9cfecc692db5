/**
 * Calls between a visitor socket and agent consoles (spec 2.2, 3 and 8) as a
 * state machine: inputs arrive through handle* methods, outputs leave through
 * the Outbox; no sockets here. Timers come from the injected clock. The
 * decisions are made here: whether a call may start (one per visitor socket,
 * media the agent offers), the verdict from availability (ring, busy,
 * unavailable), and — through `CallTargets` — where it rings.
 *
 *   CreateCall → pending ──Channels──▶ ringing ──AcceptCall──▶ connected
 *                   │                     │                        │
 *                   └──── terminated ◀────┴────────────────────────┘
 *
 * Cluster mode: a call lives in the process of the visitor's socket (its
 * owner, named in the call id); consoles elsewhere reach it through the bus
 * (cluster/call-router.ts). The owner records each call's consoles in Redis
 * (`CallRecords`), so that if it dies a survivor can tell those consoles the
 * call failed; and when a process holding a console dies, the owner ends or
 * stops ringing the calls through it (`handleNodeGone`).
 */
import crypto from 'node:crypto';
import type { Availability, CallCause, CallInfoMsg, IncomingCallMsg, VisiblePresence, VisitorContext } from '@cw/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { CallLogRepo } from '../storage/types.js';
import type { Outbox } from '../domain/outbox.js';
import type { Activity, CallRef } from '../domain/activity.js';
import { needMedia } from '../domain/widget-agent.js';
import { WireError } from '../domain/wire-error.js';
import type { CallTarget, CallTargets, PhoneTarget } from './call-targets.js';

/**
 * Rings phones through the phone system (spec 9). What happens there comes
 * back through CallManager.handlePhone* (progress, answer, end).
 */
export interface PhoneDialer {
  dial(callId: string, target: PhoneTarget, offer: { sdp: string; dn: string; video: boolean; widget: { uuid: string; name: string } }): void;
  /** Stops ringing (CANCEL) or hangs up (BYE); no handlePhoneEnd follows. */
  hangup(callId: string, targetId: string): void;
}

/** What availability allows when a call starts. */
export type CallVerdict = 'ring' | 'busy' | 'unavailable';

/** Where a cluster keeps the consoles of each live call, for the reaper of a dead owner (cluster/call-records.ts). */
export interface CallRecords {
  ringing(callId: string, targets: CallTarget[]): void;
  connected(callId: string, target: CallTarget): void;
  ended(callId: string): void;
}

export interface CallManagerDeps {
  clock: Clock;
  /** call ids start with "<idPrefix>." (cluster mode: this process's node id, so consoles elsewhere know the owner) */
  idPrefix?: string;
  /** cluster mode: the consoles of each live call, shared */
  records?: CallRecords;
  ringTimeoutMs: number;
  outbox: Outbox;
  /** which agent is called, what visitors see of it, and where its calls ring */
  targets: CallTargets;
  /** told when an agent enters or leaves a call (visible presence shows busy) */
  presence: { handleCallState(userId: string, inCall: boolean, callId?: string): void };
  callLog: CallLogRepo;
  logger: Logger;
  /** where call.started / answered / ended go (webhooks, metrics listen there) */
  activity?: Pick<Activity, 'emit'>;
  /** the phone system, when targets may be phones */
  phones?: PhoneDialer;
}

type Phase = 'pending' | 'ringing' | 'connected';

interface Call {
  id: string;
  connId: string;
  widget: { uuid: string; name: string };
  dest: string;
  dn: string;
  video: boolean;
  visitor?: VisitorContext | undefined;
  phase: Phase;
  /** the SDP offer arrived (its targets may still be looked up) */
  offered: boolean;
  /** target id → target, while ringing */
  ringing: Map<string, CallTarget>;
  /** the target that answered */
  agent?: CallTarget;
  /** the visitor got `alerting` (at once when a console rings; on 180/183 when only phones do) */
  alerted?: boolean;
  timer?: { cancel(): void };
  /** the call log id, once written */
  logId: Promise<string | undefined>;
  /** set when call.started was emitted, and when it was answered */
  startedAt?: number;
  answeredAt?: number;
}

/** The visitor socket that calls, and the widget it opened. */
export interface CallerRef {
  connId: string;
  widgetUuid: string;
  /** the visitor session token, when known (kept in the call log: History links a call to the visit's chats) */
  session?: string;
}

/** A visitor's CreateCall. */
export interface CallRequest {
  dest: string;
  dn: string;
  video: boolean;
  /** spec 14: page, language and browser of the visitor */
  visitor?: VisitorContext | undefined;
}

/** Ring, busy or unavailable from what visitors see; "always" entries ring whatever presence says. */
export function callVerdict(availability: Availability, visible: VisiblePresence): CallVerdict {
  if (availability === 'always' || visible === 'online') return 'ring';
  return visible === 'busy' ? 'busy' : 'unavailable';
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

  /** The call a console is ringing for or connected to, for tests and diagnostics. */
  callsOfConsole(consoleId: string): string[] {
    return [...this.#byId.values()].filter((c) => c.ringing.has(consoleId) || c.agent?.id === consoleId).map((c) => c.id);
  }

  /**
   * Visitor CreateCall: one call per socket (call-in-progress), the agent
   * must exist and offer voice (and video for a video call); then the verdict
   * from availability. Busy or unavailable agents end it at once. Resolves
   * with the call id, or undefined when the visitor left while it was checked.
   */
  async handleCreateCall(caller: CallerRef, req: CallRequest): Promise<string | undefined> {
    const { connId } = caller;
    if (this.#byConn.has(connId)) throw new WireError('call-in-progress', 'a call is already in progress on this connection');
    // Claimed at once, so that the check above holds while the agent is looked up.
    const call: Call = {
      id: this.deps.idPrefix ? `${this.deps.idPrefix}.${crypto.randomUUID()}` : crypto.randomUUID(),
      connId,
      widget: { uuid: caller.widgetUuid, name: '' },
      ...req,
      phase: 'pending',
      offered: false,
      ringing: new Map(),
      logId: Promise.resolve(undefined),
    };
    this.#byId.set(call.id, call);
    this.#byConn.set(connId, call);
    let verdict: CallVerdict;
    try {
      const { widget, entry } = await this.deps.targets.agent(caller.widgetUuid, req.dest);
      // Spec 14: "video" includes voice — a call with or without video to such an agent is allowed.
      if (!entry.media.includes('video')) needMedia(entry, 'voice');
      if (req.video) needMedia(entry, 'video');
      call.widget = { uuid: widget.uuid, name: widget.name };
      verdict = callVerdict(entry.availability, await this.deps.targets.visible(entry));
    } catch (err) {
      // A refused request leaves nothing behind; an unexpected failure ends the call with cause "error".
      if (err instanceof WireError) this.#forget(call);
      else this.handleFailure(connId);
      throw err;
    }
    // The visitor went away while we looked: no call to leave behind.
    if (!this.#live(call)) return undefined;
    call.startedAt = this.deps.clock.now();
    this.deps.activity?.emit({ t: 'call.started', ts: call.startedAt, call: this.#ref(call) });
    call.logId = this.#track(
      this.deps.callLog
        .create({
          widgetUuid: call.widget.uuid,
          dest: call.dest,
          visitorDn: call.dn,
          video: call.video,
          agentUserId: null,
          startedAt: call.startedAt,
          answeredAt: null,
          endedAt: null,
          cause: null,
          ...(call.visitor ? { visitor: call.visitor } : {}),
          ...(caller.session ? { visitorSession: caller.session } : {}),
        })
        .then((r) => r.id),
    );
    if (verdict !== 'ring') {
      this.#forget(call);
      this.deps.logger.info({ call: call.id, widget: call.widget.uuid, dest: call.dest, cause: verdict }, 'call refused');
      this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: verdict });
      this.#log(call, { endedAt: this.deps.clock.now(), cause: verdict });
      this.#ended(call, verdict);
    }
    return call.id;
  }

  /** Visitor Channels PROPOSAL: rings every target of the call; none → unavailable. */
  async handleChannels(connId: string, sdp: string): Promise<void> {
    const call = this.#byConn.get(connId);
    if (!call) throw new WireError('no-call', 'there is no call on this connection');
    if (call.phase !== 'pending' || call.offered) throw new WireError('no-call', 'the call already has its SDP offer');
    call.offered = true;
    let targets: CallTarget[];
    try {
      targets = await this.deps.targets.ring(call.widget.uuid, call.dest);
    } catch (err) {
      this.handleFailure(connId);
      throw err;
    }
    if (!this.#live(call)) return; // the visitor went away while we looked
    for (const t of targets) call.ringing.set(t.id, t);
    if (call.ringing.size === 0) {
      this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
      this.#end(call, 'unavailable');
      return;
    }
    call.phase = 'ringing';
    this.deps.records?.ringing(call.id, [...call.ringing.values()]);
    // Spec 8: alerting once a console rings; spec 9: a phone's 180/183 (handlePhoneProgress).
    if ([...call.ringing.values()].some((t) => t.kind === 'console')) this.#alert(call);
    call.timer = this.deps.clock.setTimeout(() => this.#ringTimeout(call.id), this.deps.ringTimeoutMs);
    for (const target of [...call.ringing.values()])
      this.#offer(call, target, {
        mt: 'IncomingCall',
        call: call.id,
        from: { dn: call.dn },
        widget: call.widget,
        video: call.video,
        sdp,
        dest: call.dest,
        ...(call.visitor && Object.keys(call.visitor).length ? { visitor: call.visitor } : {}),
      });
  }

  /** A phone rings (180/183): the visitor hears alerting, once. */
  handlePhoneProgress(callId: string, targetId: string): void {
    const call = this.#byId.get(callId);
    if (call?.phase === 'ringing' && call.ringing.has(targetId)) this.#alert(call);
  }

  /** A phone answered (200 OK, ACK sent): it wins like a console's AcceptCall. */
  handlePhoneAnswer(callId: string, targetId: string, sdp: string): void {
    const call = this.#byId.get(callId);
    const target = call?.ringing.get(targetId);
    if (!call || call.phase !== 'ringing' || !target) {
      // Too late (another place won, or the visitor left): that phone is hung up.
      this.deps.phones?.hangup(callId, targetId);
      return;
    }
    this.#connect(call, target, sdp);
  }

  /**
   * A phone's side ended: busy, rejected, unavailable, no answer, its BYE
   * (hangup) or the PBX connection lost (failed). While others still ring,
   * the call goes on without it.
   */
  handlePhoneEnd(callId: string, targetId: string, cause: CallCause): void {
    const call = this.#byId.get(callId);
    if (!call) return;
    if (call.phase === 'ringing' && call.ringing.delete(targetId)) {
      if (call.ringing.size > 0) return;
      this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause });
      this.#end(call, cause);
      return;
    }
    if (call.phase === 'connected' && call.agent?.id === targetId) {
      this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause });
      this.#end(call, cause === 'hangup' ? 'agent-hangup' : cause);
    }
  }

  #alert(call: Call): void {
    if (call.alerted) return;
    call.alerted = true;
    this.#toVisitor(call, { mt: 'CallInfo', state: 'alerting' });
  }

  /** Agent AcceptCall: the first one wins, other ringing consoles get answered-elsewhere. */
  handleAccept(consoleId: string, callId: string, sdp: string): void {
    const call = this.#byId.get(callId);
    const target = call?.ringing.get(consoleId);
    if (!call || call.phase !== 'ringing' || !target || target.kind !== 'console') throw new WireError('no-call', 'no such call ringing on this console');
    this.#connect(call, target, sdp);
  }

  /** The first answer wins, wherever it comes from: everyone else who rings stops (answered-elsewhere), the visitor gets the answer. */
  #connect(call: Call, target: CallTarget, sdp: string): void {
    const { userId } = target;
    call.timer?.cancel();
    call.phase = 'connected';
    call.agent = target;
    for (const other of call.ringing.values()) if (other !== target) this.#tell(other, call, 'terminated', 'answered-elsewhere');
    call.ringing.clear();
    this.#toVisitor(call, { mt: 'CallInfo', state: 'connected', cmd: 'SELECT', sdp });
    this.#tell(target, call, 'connected');
    this.deps.records?.connected(call.id, target);
    if (userId) this.deps.presence.handleCallState(userId, true, call.id);
    call.answeredAt = this.deps.clock.now();
    const via = target.kind === 'phone' ? 'phone' : 'console';
    this.#log(call, { agentUserId: userId, answeredAt: call.answeredAt, answeredVia: via });
    // A group's own address at the PBX answered: no user of ours took it.
    if (userId) this.deps.activity?.emit({ t: 'call.answered', ts: call.answeredAt, call: this.#ref(call), agentUserId: userId });
    this.deps.logger.info({ call: call.id, widget: call.widget.uuid, dest: call.dest, agent: userId, via }, 'call connected');
  }

  /** Agent RejectCall: this console stops ringing; when none rings any more the visitor hears "rejected". */
  handleReject(consoleId: string, callId: string, cause: CallCause = 'rejected'): void {
    const call = this.#byId.get(callId);
    const target = call?.ringing.get(consoleId);
    if (!call || call.phase !== 'ringing' || !target) throw new WireError('no-call', 'no such call ringing on this console');
    call.ringing.delete(consoleId);
    this.#tell(target, call, 'terminated', cause);
    if (call.ringing.size === 0) {
      this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'rejected' });
      this.#end(call, 'rejected');
    }
  }

  /** Agent ClearCall: hangs up its connected call (or declines a ringing one). */
  handleAgentClear(consoleId: string, callId: string): void {
    const call = this.#byId.get(callId);
    if (call?.phase === 'connected' && call.agent?.id === consoleId) {
      this.#tell(call.agent, call, 'terminated', 'hangup');
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
      if (call.phase === 'connected' && call.agent?.id === consoleId) {
        this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'remote-hangup' });
        this.#end(call, 'agent-gone');
      } else if (call.phase === 'ringing' && call.ringing.delete(consoleId) && call.ringing.size === 0) {
        this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
        this.#end(call, 'unavailable');
      }
    }
  }

  /**
   * A process holding consoles died (cluster mode): a call connected to one of
   * them ends for the visitor with cause "failed"; its consoles there stop
   * ringing, and a call that rang only there fails too.
   */
  handleNodeGone(node: string): void {
    for (const call of [...this.#byId.values()]) {
      if (call.phase === 'connected' && call.agent?.kind === 'console' && call.agent.node === node) {
        this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'failed' });
        this.#end(call, 'failed');
      } else if (call.phase === 'ringing') {
        for (const [id, t] of [...call.ringing]) if (t.kind === 'console' && t.node === node) call.ringing.delete(id);
        if (call.ringing.size === 0) {
          this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'failed' });
          this.#end(call, 'failed');
        }
      }
    }
  }

  /** Every live call of this process ends with cause "failed" on both sides (it was declared dead and its consoles were told so). */
  handleDeclaredDead(): void {
    for (const call of [...this.#byId.values()]) {
      if (call.phase === 'pending') continue;
      for (const target of call.ringing.values()) this.#tell(target, call, 'terminated', 'failed');
      if (call.agent) this.#tell(call.agent, call, 'terminated', 'failed');
      this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'failed' });
      this.#end(call, 'failed');
    }
  }

  /** The server failed while setting up this socket's call: it ends with cause "error" on every side. */
  handleFailure(connId: string): void {
    const call = this.#byConn.get(connId);
    if (call) for (const target of call.ringing.values()) this.#tell(target, call, 'terminated', 'error');
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
      for (const target of call.ringing.values()) this.#tell(target, call, 'terminated', 'cancelled');
      this.#end(call, 'cancelled');
    } else if (call.phase === 'connected' && call.agent) {
      this.#tell(call.agent, call, 'terminated', 'remote-hangup');
      this.#end(call, 'visitor-hangup');
    } else this.#end(call, 'cancelled');
  }

  #ringTimeout(callId: string): void {
    const call = this.#byId.get(callId);
    if (!call || call.phase !== 'ringing') return;
    for (const target of call.ringing.values()) this.#tell(target, call, 'terminated', 'no-answer');
    this.#toVisitor(call, { mt: 'CallInfo', state: 'terminated', cause: 'no-answer' });
    this.#end(call, 'no-answer');
  }

  /** Whether the call is still this socket's (not ended or forgotten meanwhile). */
  #live(call: Call): boolean {
    return this.#byConn.get(call.connId) === call;
  }

  /** Drops a call from the maps without an ending (it never started). */
  #forget(call: Call): void {
    call.timer?.cancel();
    if (this.#byId.get(call.id) === call) this.#byId.delete(call.id);
    if (this.#byConn.get(call.connId) === call) this.#byConn.delete(call.connId);
  }

  #end(call: Call, cause: string): void {
    if (this.#byId.get(call.id) !== call && this.#byConn.get(call.connId) !== call) return;
    this.#forget(call);
    if (call.phase !== 'pending') this.deps.records?.ended(call.id);
    if (call.phase === 'connected' && call.agent?.userId) this.deps.presence.handleCallState(call.agent.userId, false, call.id);
    call.ringing.clear();
    this.#log(call, { endedAt: this.deps.clock.now(), cause });
    this.#ended(call, cause);
    this.deps.logger.info({ call: call.id, widget: call.widget.uuid, dest: call.dest, agent: call.agent?.userId, cause }, 'call ended');
  }

  /** How many calls are in each phase now (a metric). */
  phases(): Record<Phase, number> {
    const out: Record<Phase, number> = { pending: 0, ringing: 0, connected: 0 };
    for (const c of this.#byId.values()) out[c.phase]++;
    return out;
  }

  #ref(call: Call): CallRef {
    return { id: call.id, widget: call.widget, dest: call.dest, video: call.video, visitor: { dn: call.dn }, startedAt: call.startedAt ?? this.deps.clock.now() };
  }

  /** call.ended, for calls whose call.started went out. */
  #ended(call: Call, cause: string): void {
    if (call.startedAt === undefined) return;
    const agentUserId = call.answeredAt !== undefined ? (call.agent?.userId ?? null) : null;
    this.deps.activity?.emit({ t: 'call.ended', ts: this.deps.clock.now(), call: this.#ref(call), cause, agentUserId, answeredAt: call.answeredAt ?? null });
  }

  #toVisitor(call: Call, msg: CallInfoMsg): void {
    this.deps.outbox.toVisitor(call.connId, msg);
  }

  /** IncomingCall to a target (a new kind of target is one more case here and in #tell). */
  #offer(call: Call, target: CallTarget, msg: IncomingCallMsg): void {
    switch (target.kind) {
      case 'console':
        return this.deps.outbox.toConsole(target.id, msg);
      case 'phone':
        if (!this.deps.phones) return this.handlePhoneEnd(call.id, target.id, 'unavailable');
        return this.deps.phones.dial(call.id, target, { sdp: msg.sdp, dn: call.dn, video: call.video, widget: call.widget });
    }
  }

  /** A call state change to a target. */
  #tell(target: CallTarget, call: Call, state: CallInfoMsg['state'], cause?: CallCause): void {
    switch (target.kind) {
      case 'console':
        return this.deps.outbox.toConsole(target.id, cause ? { mt: 'CallInfo', call: call.id, state, cause } : { mt: 'CallInfo', call: call.id, state });
      case 'phone':
        if (state === 'terminated') this.deps.phones?.hangup(call.id, target.id);
        return;
    }
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

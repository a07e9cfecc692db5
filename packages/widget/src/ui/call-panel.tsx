/**
 * A call: state (announced), remote video or audio (Larger video, Full screen), small self view, timer, Mute, camera, Hang up,
 * the Microphone and Camera pickers; while a video call rings, the visitor's own camera large with a microphone level.
 */
import type { JSX } from 'preact';
import { callTimer, type DeviceKind } from '@cw/client-core';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Actions, CallView, EndReason, NextSteps, PeerView } from '../view.js';
import { NextStepBar, PeerHead } from './peer.js';
import type { T } from '../text.js';

interface Props {
  t: T;
  actions: Actions;
  call: CallView;
  idBase: string;
  peer?: PeerView;
  next?: NextSteps;
}

function endText(t: T, r: EndReason | undefined, name: string): string {
  switch (r) {
    case 'busy':
      return t('causeBusy', name);
    case 'rejected':
      return t('causeRejected', name);
    case 'no-answer':
      return t('causeNoAnswer', name);
    case 'unavailable':
      return t('causeUnavailable', name);
    case 'remote-hangup':
      return t('causeRemoteHangup', name);
    case 'error':
      return t('causeError');
    case 'mic-denied':
      return t('causeMicDenied');
    case 'cam-denied':
      return t('causeCamDenied');
    case 'no-device':
      return t('causeNoDevice');
    case 'network':
      return t('causeNetwork');
    default:
      return t('callEnded');
  }
}

/** A <video>/<audio> bound to a MediaStream through srcObject (no blob: URL needed). */
function Media({ stream, kind, cls, muted, label }: { stream: MediaStream | null; kind: 'video' | 'audio'; cls?: string; muted?: boolean; label?: string }): JSX.Element {
  const ref = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (element && element.srcObject !== stream) {
      element.srcObject = stream;
      if (stream) element.play().catch(() => {});
    }
  }, [stream]);
  return kind === 'video' ? (
    <video ref={ref} class={cls} autoPlay playsInline muted={muted} aria-label={label} />
  ) : (
    <audio ref={ref} autoPlay />
  );
}

/** A microphone level from the stream's audio (Web Audio), drawn without re-rendering; decorative. */
function Level({ stream }: { stream: MediaStream | null }): JSX.Element {
  const bar = useRef<HTMLSpanElement>(null);
  const track = stream?.getAudioTracks()[0];
  useEffect(() => {
    if (!track || typeof AudioContext === 'undefined') return;
    const ctx = new AudioContext();
    const an = ctx.createAnalyser();
    ctx.createMediaStreamSource(new MediaStream([track])).connect(an);
    void ctx.resume().catch(() => {});
    const buf = new Uint8Array(an.fftSize);
    let raf = 0;
    const tick = () => {
      an.getByteTimeDomainData(buf);
      let peak = 0;
      for (const v of buf) peak = Math.max(peak, Math.abs(v - 128));
      if (bar.current) bar.current.style.width = `${Math.min(100, peak * 1.5)}%`;
      raf = requestAnimationFrame(tick);
    };
    tick();
    return () => {
      cancelAnimationFrame(raf);
      void ctx.close().catch(() => {});
    };
  }, [track]);
  return (
    <span class="level" aria-hidden="true">
      <span ref={bar} />
    </span>
  );
}

/** The Microphone (and for video the Camera) picker, once the browser lists the devices. */
function Devices({ t, actions, call }: { t: T; actions: Actions; call: CallView }): JSX.Element | null {
  const pick = (kind: DeviceKind, name: string) => {
    const list = call.devices?.[kind] ?? [];
    return list.length ? (
      <label class="field">
        {name}
        <select value={call[kind]} onChange={(e) => actions.setDevice(kind, (e.currentTarget as HTMLSelectElement).value)}>
          {list.map((o, i) => (
            <option key={o.id} value={o.id}>
              {o.label || `${name} ${i + 1}`}
            </option>
          ))}
        </select>
      </label>
    ) : null;
  };
  return (
    <div class="devs">
      {pick('mic', t('microphone'))}
      {call.video ? pick('cam', t('camera')) : null}
      {call.deviceFailed ? (
        <p class="err" role="alert">
          {t('deviceFailed')}
        </p>
      ) : null}
    </div>
  );
}

export function CallPanel({ t, actions, call, idBase, peer, next }: Props): JSX.Element {
  const [now, setNow] = useState(Date.now());
  // Larger video and full screen (issue 15); the full-screen state follows the browser (Escape leaves it).
  const [big, setBig] = useState(false);
  const [full, setFull] = useState(false);
  const stage = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const sync = () => setFull(!!stage.current && document.fullscreenElement === stage.current);
    document.addEventListener('fullscreenchange', sync);
    return () => document.removeEventListener('fullscreenchange', sync);
  }, []);
  const toggleFull = () => {
    const el = stage.current;
    if (!el) return;
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
    // No full screen here (an iframe without allow="fullscreen", old browsers): the larger view instead.
    else if (el.requestFullscreen) void el.requestFullscreen().catch(() => setBig(true));
    else setBig(true);
  };
  const ended = call.phase === 'ended';
  const closeBtn = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (call.phase !== 'connected') return;
    const i = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(i);
  }, [call.phase]);
  // Before the agent answers a video call: the visitor sees themself (and can change camera and microphone).
  const check = !ended && call.video && call.phase !== 'connected';
  useEffect(() => {
    // The call's first control once it ended: Close.
    if (ended) closeBtn.current?.focus();
  }, [ended]);
  const name = call.agentDn;
  const failed = call.reason === 'mic-denied' || call.reason === 'cam-denied' || call.reason === 'no-device';
  const status =
    call.phase === 'media' && call.video
      ? t('startingCamera')
      : call.phase === 'media' || call.phase === 'calling'
      ? t('calling', name)
      : call.phase === 'alerting'
        ? t('ringing')
        : call.phase === 'connected'
          ? t('connected', name)
          : endText(t, call.reason, name);
  return (
    <section class="conv" aria-labelledby={`${idBase}-ktitle`}>
      <PeerHead peer={peer} name={name} big={!ended && !check && (!call.video || call.phase !== 'connected')} presence={call.phase !== 'connected'}>
        <h2 id={`${idBase}-ktitle`}>{t('callTitle', name)}</h2>
      </PeerHead>
      <p class="status" role="status" aria-live="polite">
        {status}
      </p>
      {check && call.local ? (
        <>
          <div class="videos">
            <Media stream={call.local} kind="video" cls="remote mirror" muted label={t('selfView')} />
          </div>
          <Level stream={call.local} />
        </>
      ) : null}
      {!ended && !check && call.video ? (
        <div class={`videos${big ? ' big' : ''}`} ref={stage}>
          <div class="vbar">
            <button type="button" aria-pressed={big ? 'true' : 'false'} onClick={() => setBig(!big)}>
              {t('enlargeVideo')}
            </button>
            <button type="button" aria-pressed={full ? 'true' : 'false'} onClick={toggleFull}>
              {t('fullScreen')}
            </button>
          </div>
          <Media stream={call.remote} kind="video" cls="remote" label={t('remoteVideo', name)} />
          <Media stream={call.local} kind="video" cls="self" muted label={t('selfView')} />
        </div>
      ) : null}
      {!ended && !call.video ? <Media stream={call.remote} kind="audio" /> : null}
      {call.phase === 'connected' && call.connectedAt ? (
        <p>
          <span class="sr">{t('callDuration')}: </span>
          <span class="timer" role="timer">
            {callTimer(now - call.connectedAt)}
          </span>
        </p>
      ) : null}
      {!ended && call.phase !== 'media' ? <Devices t={t} actions={actions} call={call} /> : null}
      {ended && failed ? (
        // Issue 15: no camera or no permission — a voice call or a chat instead.
        <div class="next">
          <p>{t('nextStep')}</p>
          <div class="bar">
            {call.video ? (
              <button type="button" class="btn" onClick={() => actions.choose(call.agent, 'voice')}>
                {t('voiceInstead')}
              </button>
            ) : null}
            {next?.chatInstead ? (
              <button type="button" class="btn alt" onClick={next.chatInstead}>
                {t('chatInstead')}
              </button>
            ) : null}
          </div>
        </div>
      ) : null}
      {ended ? (
        <>
          {call.reason && ['busy', 'rejected', 'no-answer', 'unavailable'].includes(call.reason) ? <NextStepBar t={t} next={next} /> : null}
          <div class="bar">
            <button type="button" class="btn" ref={closeBtn} onClick={() => actions.back()}>
              {t('close')}
            </button>
          </div>
        </>
      ) : (
        <div class="bar">
          <button type="button" class="btn alt" aria-pressed={call.muted ? 'true' : 'false'} onClick={() => actions.toggleMute()}>
            {t('mute')}
          </button>
          {call.video ? (
            <button type="button" class="btn alt" aria-pressed={call.cameraOff ? 'true' : 'false'} onClick={() => actions.toggleCamera()}>
              {t('cameraOff')}
            </button>
          ) : null}
          <button type="button" class="btn danger" onClick={() => actions.hangUp()}>
            {t('hangUp')}
          </button>
        </div>
      )}
    </section>
  );
}

/** A call: state (announced), remote video or audio (Larger video, Full screen), small self view, timer, Mute, camera, Hang up. */
import type { JSX } from 'preact';
import { callTimer } from '@cw/client-core';
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
  useEffect(() => {
    if (ended) closeBtn.current?.focus();
  }, [ended]);
  const name = call.agentDn;
  const status =
    call.phase === 'media' || call.phase === 'calling'
      ? t('calling', name)
      : call.phase === 'alerting'
        ? t('ringing')
        : call.phase === 'connected'
          ? t('connected', name)
          : endText(t, call.reason, name);
  return (
    <section class="conv" aria-labelledby={`${idBase}-ktitle`}>
      <PeerHead peer={peer} name={name} big={!ended && (!call.video || call.phase !== 'connected')}>
        <h2 id={`${idBase}-ktitle`}>{t('callTitle', name)}</h2>
      </PeerHead>
      <p class="status" role="status" aria-live="polite">
        {status}
      </p>
      {!ended && call.video ? (
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

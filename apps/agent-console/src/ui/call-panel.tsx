/** The call in progress: remote video large, self view small, Mute, camera, Microphone and Camera pickers, timer, Hang up. */
import type { DeviceKind } from '@cw/client-core';
import { useEffect, useRef } from 'preact/hooks';
import type { ConsoleStore } from '../state/store.js';
import type { ActiveCall } from '../state/types.js';
import { duration } from './format.js';
import { useNow } from './use-store.js';
import { t, tx } from '../i18n.js';

function Media(props: { stream: MediaStream | null; muted?: boolean; video: boolean; class: string; label: string }) {
  const ref = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (element && element.srcObject !== props.stream) {
      element.srcObject = props.stream;
      if (props.stream) void element.play().catch(() => {});
    }
  }, [props.stream]);
  return props.video ? (
    <video ref={ref} class={props.class} autoPlay playsInline muted={props.muted} aria-label={props.label} />
  ) : (
    <audio ref={ref} autoPlay muted={props.muted} aria-label={props.label} />
  );
}

function Timer(props: { since: number | null }) {
  const now = useNow(1000);
  return (
    <span class="timer" role="timer" aria-label={t("Call duration")}>
      {props.since ? duration(now - props.since) : '00:00'}
    </span>
  );
}

/** A device picker (issue 15), once the browser lists that kind. */
function DevicePick(props: { store: ConsoleStore; call: ActiveCall; kind: DeviceKind; label: string }) {
  const list = props.call.devices?.[props.kind] ?? [];
  if (!list.length) return null;
  return (
    <label class="device">
      {props.label}
      <select value={props.call[props.kind]} onChange={(e) => void props.store.calls.setDevice(props.kind, (e.currentTarget as HTMLSelectElement).value)}>
        {list.map((o, i) => (
          <option key={o.id} value={o.id}>
            {o.label || `${props.label} ${i + 1}`}
          </option>
        ))}
      </select>
    </label>
  );
}

export function CallPanel(props: { store: ConsoleStore; call: ActiveCall }) {
  const { store, call: c } = props;
  const phase = c.phase === 'accepting' ? t("Answering…") : c.phase === 'connecting' ? t("Connecting…") : c.trouble === 'unstable' ? t("Network problem — trying to keep the call…") : t('Connected');
  return (
    <section class={`call ${c.video ? 'call-video' : 'call-voice'}`} aria-label={t('Call with {name}', { name: c.from.dn })}>
      <div class="call-head">
        <div>
          <h2>
            {tx(c.video ? 'Video call with {name}' : 'Voice call with {name}', { name: <bdi class="who">{c.from.dn}</bdi> })}
          </h2>
          <p class="muted">
            {c.widget?.name ? `${t('via {widget}', { widget: c.widget.name })} · ` : ''}
            <span class={c.trouble === 'unstable' ? 'warn' : ''} role="status">
              {phase}
            </span>
          </p>
        </div>
        <Timer since={c.connectedAt} />
      </div>
      <div class="stage">
        {c.video ? (
          <>
            <Media stream={c.remote} video class="remote" label={t('Video of {name}', { name: c.from.dn })} />
            <Media stream={c.local} video muted class="self" label={t("Your camera")} />
          </>
        ) : (
          <>
            <div class="voice-avatar" aria-hidden="true">
              {c.from.dn.slice(0, 1).toUpperCase()}
            </div>
            <Media stream={c.remote} video={false} class="" label={t('Audio of {name}', { name: c.from.dn })} />
          </>
        )}
      </div>
      <div class="call-actions">
        <button type="button" aria-pressed={c.muted} onClick={() => store.calls.toggleMute()} disabled={c.phase === 'accepting'}>
          {t("Mute")}
        </button>
        {c.video && (
          <button type="button" aria-pressed={c.cameraOff} onClick={() => store.calls.toggleCamera()} disabled={c.phase === 'accepting'}>
            {t("Camera off")}
          </button>
        )}
        <button type="button" class="hangup" onClick={() => store.calls.hangUp()}>
          {t("Hang up")}
        </button>
      </div>
      <div class="call-devices">
        <DevicePick store={store} call={c} kind="mic" label={t('Microphone')} />
        {c.video && <DevicePick store={store} call={c} kind="cam" label={t('Camera')} />}
      </div>
    </section>
  );
}

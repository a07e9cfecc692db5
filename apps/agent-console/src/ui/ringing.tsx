/** Ringing calls: who calls, from which widget, voice or video; Accept / Decline. */
import { useEffect, useRef } from 'preact/hooks';
import { Icon } from './icons.js';
import { VisitorContextView } from './visitor-context.js';
import type { ConsoleStore } from '../state/store.js';
import type { RingingCall } from '../state/types.js';
import { t, tx } from '../i18n.js';

export function Ringing(props: { store: ConsoleStore; ringing: RingingCall[]; canAccept: boolean; soundBlocked: boolean }) {
  const { store } = props;
  const first = useRef<HTMLButtonElement>(null);
  const firstId = props.ringing[0]?.id;
  // Keyboard users land on Accept — unless they are busy in another control (e.g. typing a message).
  useEffect(() => {
    const a = document.activeElement;
    if (firstId && (!a || a === document.body)) first.current?.focus();
  }, [firstId]);
  if (props.ringing.length === 0) return null;
  return (
    <section class="ringing-list" aria-label={t("Incoming calls")}>
      {props.ringing.map((r, i) => {
        const kind = r.video ? t("Video call") : t("Voice call");
        return (
          <article class="ringing" aria-labelledby={`ring-${r.id}`} data-call={r.id}>
            <div class="ring-icon">
              <Icon name={r.video ? 'video' : 'phone'} size={28} />
            </div>
            <div class="ring-text">
              <h2 id={`ring-${r.id}`}>
                {tx(r.video ? 'Incoming video call from {name}' : 'Incoming voice call from {name}', { name: <bdi class="who">{r.from.dn}</bdi> })}
              </h2>
              <p class="muted">
                {kind}
                {r.widget?.name ? ` · ${t('via {widget}', { widget: r.widget.name })}` : ''}
              </p>
              <VisitorContextView visitor={r.visitor} compact />
              {props.soundBlocked && (
                <p class="hint">
                  {t("The ring tone is silent until you click anywhere on the page.")}{' '}
                  <button type="button" class="link-button" onClick={() => store.ringtone.unlock()}>
                    {t("Enable sound")}
                  </button>
                </p>
              )}
            </div>
            <div class="ring-actions">
              <button type="button" class="accept" ref={i === 0 ? first : undefined} disabled={!props.canAccept} onClick={() => void store.calls.accept(r.id)}>
                {t("Accept")}
              </button>
              <button type="button" class="decline" onClick={() => store.calls.decline(r.id)}>
                {t("Decline")}
              </button>
            </div>
          </article>
        );
      })}
    </section>
  );
}

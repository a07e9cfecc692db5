/** The agent at the top of a chat or call (picture, name, status), and the next steps after a contact that did not happen. */
import type { ComponentChildren, JSX } from 'preact';
import type { NextSteps, PeerView } from '../view.js';
import type { T } from '../text.js';

function initials(dn: string): string {
  return dn
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
}

/** `presence: false` leaves the agent's presence out (in a call with this visitor it would only say "Busy"). */
export function PeerHead({ peer, name, big, presence = true, children }: { peer: PeerView | undefined; name: string; big?: boolean; presence?: boolean; children: ComponentChildren }): JSX.Element {
  if (!peer) return <div class="bar">{children}</div>;
  return (
    <div class={`peer${big ? ' big' : ''}`}>
      {peer.picture ? <img class="pic" src={peer.picture} alt="" /> : <span class="initials" aria-hidden="true">{initials(name)}</span>}
      <div class="peer-text">
        {children}
        {presence ? (
          <div class="state">
            <span class={`dot ${peer.presence}`} aria-hidden="true" />
            <span>{peer.stateText}</span>
          </div>
        ) : null}
      </div>
    </div>
  );
}

export function NextStepBar({ t, next }: { t: T; next: NextSteps | undefined }): JSX.Element | null {
  if (!next || (!next.chatInstead && !next.other && !next.leave)) return null;
  return (
    <div class="next">
      <p>{t('nextStep')}</p>
      <div class="bar">
        {next.chatInstead ? (
          <button type="button" class="btn" onClick={next.chatInstead}>
            {t('chatInstead')}
          </button>
        ) : null}
        {next.other ? (
          <button type="button" class="btn alt" onClick={next.other.go}>
            {t('tryOther', next.other.dn)}
          </button>
        ) : null}
        {next.leave ? (
          <button type="button" class="btn alt" onClick={next.leave}>
            {t('leaveMessage')}
          </button>
        ) : null}
      </div>
    </div>
  );
}

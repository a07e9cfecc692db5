/** Short notices (call ended, chat taken…) and the screen-reader live regions. */
import { useEffect, useState } from 'preact/hooks';
import { onAnnounce } from '../notify.js';
import type { ConsoleStore } from '../state/store.js';
import type { Notice } from '../state/types.js';
import { t } from '../i18n.js';

export function Notices(props: { store: ConsoleStore; notices: Notice[] }) {
  if (props.notices.length === 0) return null;
  return (
    <ul class="notices" aria-label={t("Notices")}>
      {props.notices.map((n) => (
        <li class={`notice ${n.kind}`}>
          <span>{n.text}</span>
          <button type="button" class="quiet" aria-label={t("Dismiss notice")} onClick={() => props.store.dismissNotice(n.id)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Two visually hidden live regions; announcements alternate a suffix so repeats are read again. */
export function LiveRegions() {
  const [polite, setPolite] = useState('');
  const [assertive, setAssertive] = useState('');
  useEffect(
    () =>
      onAnnounce((text, p) => {
        if (p === 'assertive') setAssertive((old) => (old === text ? `${text}\u00a0` : text));
        else setPolite((old) => (old === text ? `${text}\u00a0` : text));
      }),
    [],
  );
  return (
    <div class="sr-only">
      <div aria-live="polite" data-live="polite">
        {polite}
      </div>
      <div aria-live="assertive" data-live="assertive">
        {assertive}
      </div>
    </div>
  );
}

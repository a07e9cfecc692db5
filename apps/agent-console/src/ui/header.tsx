/** Top bar: who is signed in, connection state, the Presence control, History, Sign out. */
import type { Presence } from '@cw/protocol';
import type { ConsoleStore } from '../state/store.js';
import type { ConsoleState } from '../state/types.js';

const CHOICES: { value: Presence; label: string }[] = [
  { value: 'online', label: 'Online' },
  { value: 'away', label: 'Away' },
  { value: 'busy', label: 'Busy' },
  { value: 'offline', label: 'Offline' },
];

/** What the agent's status line says, calls taken into account. */
export function statusText(s: ConsoleState): string {
  const inCall = !!s.call || (s.presence === 'online' && s.visible === 'busy');
  if (inCall) return 'Busy (in a call)';
  return CHOICES.find((c) => c.value === s.presence)?.label ?? 'Unknown';
}

export function Header(props: { store: ConsoleStore; state: ConsoleState; view: 'work' | 'history' | 'missed'; onView(v: 'work' | 'history' | 'missed'): void; onSignOut(): void }) {
  const { store, state: s } = props;
  const status = statusText(s);
  const link = s.link === 'online' ? 'Connected' : s.link === 'connecting' ? 'Connecting…' : s.link === 'reconnecting' ? 'Connection lost — reconnecting…' : 'Disconnected';
  return (
    <header class="topbar">
      <div class="brand">
        <span class="logo" aria-hidden="true">
          ●
        </span>
        <span>Agent console</span>
      </div>
      <div class={`link link-${s.link}`} role="status">
        {link}
      </div>
      <div class="presence">
        <label for="presence">Presence</label>
        <select id="presence" value={s.presence ?? ''} aria-describedby="presence-status" disabled={s.link === 'signed-out' || s.link === 'refused'} onChange={(e) => store.setPresence(e.currentTarget.value as Presence)}>
          {s.presence === null && <option value="" disabled hidden>…</option>}
          {CHOICES.map((c) => (
            <option value={c.value}>{c.label}</option>
          ))}
        </select>
        <span id="presence-status" class={`status status-${status === 'Busy (in a call)' ? 'incall' : (s.presence ?? 'unknown')}`} aria-live="polite">
          {status}
        </span>
      </div>
      <nav class="views" aria-label="Views">
        <button type="button" class="tab" aria-pressed={props.view === 'work'} onClick={() => props.onView('work')}>
          Conversations
        </button>
        <button type="button" class="tab" aria-pressed={props.view === 'history'} onClick={() => props.onView('history')}>
          History
        </button>
        <button type="button" class="tab" aria-pressed={props.view === 'missed'} onClick={() => props.onView('missed')}>
          Missed
        </button>
      </nav>
      <div class="me">
        <span class="me-name" title={s.user.username}>
          {s.user.displayName || s.user.username}
        </span>
        <button type="button" class="quiet" onClick={props.onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}

/** Top bar: who is signed in, connection state, the Presence control, History, Sign out. */
import type { Presence } from '@cw/protocol';
import { msg } from '@cw/client-core';
import type { ConsoleStore } from '../state/store.js';
import type { ConsoleState } from '../state/types.js';
import { t } from '../i18n.js';
import { LanguageSelect } from '../i18n.js';
import { useState } from 'preact/hooks';
import { chatSoundOn, setChatSound } from '../state/store.js';

const CHOICES: { value: Presence; label: string }[] = [
  { value: 'online', label: msg('Online') },
  { value: 'away', label: msg('Away') },
  { value: 'busy', label: msg('Busy') },
  { value: 'offline', label: msg('Offline') },
];

/** Whether the agent is in a call (this console's, or one the server counts, e.g. answered on another console). */
export function inCall(s: Pick<ConsoleState, 'call' | 'presence' | 'visible'>): boolean {
  return !!s.call || (s.presence === 'online' && s.visible === 'busy');
}

/**
 * What the agent's status line says: the chosen presence (the word in the
 * Presence select), and "· in a call" while in one — never a second,
 * contradicting presence next to the select (issue 15).
 */
export function statusText(s: Pick<ConsoleState, 'call' | 'presence' | 'visible'>): string {
  const label = CHOICES.find((c) => c.value === s.presence)?.label;
  const word = label ? t(label) : t('Unknown');
  return inCall(s) ? t('{presence} · in a call', { presence: word }) : word;
}

export function Header(props: { store: ConsoleStore; state: ConsoleState; view: 'work' | 'history' | 'missed'; onView(v: 'work' | 'history' | 'missed'): void; onSignOut(): void }) {
  const { store, state: s } = props;
  const status = statusText(s);
  const link = s.link === 'online' ? t('Connected') : s.link === 'connecting' ? t("Connecting…") : s.link === 'reconnecting' ? t("Connection lost — reconnecting…") : t('Disconnected');
  return (
    <header class="topbar">
      <div class="brand">
        <span class="logo" aria-hidden="true">
          ●
        </span>
        <span>{t("Agent console")}</span>
      </div>
      <div class={`link link-${s.link}`} role="status">
        {link}
      </div>
      <div class="presence">
        <label for="presence">{t("Presence")}</label>
        <select id="presence" value={s.presence ?? ''} aria-describedby="presence-status" disabled={s.link === 'signed-out' || s.link === 'refused'} onChange={(e) => store.setPresence(e.currentTarget.value as Presence)}>
          {s.presence === null && <option value="" disabled hidden>…</option>}
          {CHOICES.map((c) => (
            <option value={c.value}>{t(c.label)}</option>
          ))}
        </select>
        <span id="presence-status" class={`status status-${s.presence ?? 'unknown'}${inCall(s) ? ' status-incall' : ''}`} aria-live="polite">
          {status}
        </span>
      </div>
      <nav class="views" aria-label={t("Views")}>
        <button type="button" class="tab" aria-pressed={props.view === 'work'} onClick={() => props.onView('work')}>
          {t("Conversations")}
        </button>
        <button type="button" class="tab" aria-pressed={props.view === 'history'} onClick={() => props.onView('history')}>
          {t("History")}
        </button>
        <button type="button" class="tab" aria-pressed={props.view === 'missed'} onClick={() => props.onView('missed')}>
          {t('Missed')}
        </button>
      </nav>
      <div class="me">
        <span class="me-name" title={s.user.username}>
          {s.user.displayName || s.user.username}
        </span>
        <LanguageSelect signedIn />
        <ChatSoundToggle />
        <button type="button" class="quiet" onClick={props.onSignOut}>
          {t("Sign out")}
        </button>
      </div>
    </header>
  );
}

/** Issue 15: a sound for chat requests too (calls ring anyway), on by default, remembered in this browser. */
function ChatSoundToggle() {
  const [on, setOn] = useState(chatSoundOn);
  return (
    <label class="sound-toggle">
      <input
        type="checkbox"
        checked={on}
        onChange={(e) => {
          const v = (e.currentTarget as HTMLInputElement).checked;
          setChatSound(v);
          setOn(v);
        }}
      />
      {t('Sound for chat requests')}
    </label>
  );
}

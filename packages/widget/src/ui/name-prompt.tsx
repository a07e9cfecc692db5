/** Asks the visitor's name (and optionally e-mail for chats) before a chat or call. */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Action, Actions } from '../view.js';
import { mailUrl, type T } from '../text.js';

interface Props {
  t: T;
  actions: Actions;
  agentDn: string;
  action: Action;
  initial: { dn: string; email: string };
  idBase: string;
}

export function NamePrompt({ t, actions, agentDn, action, initial, idBase }: Props): JSX.Element {
  const [dn, setDn] = useState(initial.dn);
  const [email, setEmail] = useState(initial.email);
  const [error, setError] = useState(false);
  const [emailError, setEmailError] = useState(false);
  const emailInput = useRef<HTMLInputElement>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const title = action === 'chat' ? t('chatWith', agentDn) : action === 'video' ? t('videoCall', agentDn) : t('voiceCall', agentDn);
  const submit = (e: Event) => {
    e.preventDefault();
    if (!dn.trim()) {
      setError(true);
      input.current?.focus();
      return;
    }
    if (action === 'chat' && email.trim() && !mailUrl(email)) {
      setEmailError(true);
      emailInput.current?.focus();
      return;
    }
    actions.submitName(dn, email);
  };
  return (
    <form class="conv" onSubmit={submit} aria-labelledby={`${idBase}-ptitle`} noValidate>
      <h2 id={`${idBase}-ptitle`}>{title}</h2>
      <div class="field">
        <label for={`${idBase}-dn`}>{t('yourName')}</label>
        <input
          ref={input}
          id={`${idBase}-dn`}
          name="name"
          autocomplete="name"
          maxLength={100}
          required
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? `${idBase}-dnerr` : undefined}
          value={dn}
          onInput={(e) => {
            setDn((e.target as HTMLInputElement).value);
            setError(false);
          }}
        />
        {error ? (
          <span class="err" id={`${idBase}-dnerr`} role="alert">
            {t('nameNeeded')}
          </span>
        ) : null}
      </div>
      {action === 'chat' ? (
        <div class="field">
          <label for={`${idBase}-email`}>{t('yourEmail')}</label>
          <input
            ref={emailInput}
            id={`${idBase}-email`}
            name="email"
            type="email"
            autocomplete="email"
            maxLength={254}
            aria-invalid={emailError ? 'true' : undefined}
            aria-describedby={emailError ? `${idBase}-emailerr` : undefined}
            value={email}
            onInput={(e) => {
              setEmail((e.target as HTMLInputElement).value);
              setEmailError(false);
            }}
          />
          {emailError ? (
            <span class="err" id={`${idBase}-emailerr`} role="alert">
              {t('emailInvalid')}
            </span>
          ) : null}
        </div>
      ) : null}
      <div class="bar">
        <button type="button" class="btn alt" onClick={() => actions.back()}>
          {t('cancel')}
        </button>
        <button type="submit" class="btn">
          {t('start')}
        </button>
      </div>
    </form>
  );
}

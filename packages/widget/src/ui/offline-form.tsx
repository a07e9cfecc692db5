/**
 * The offline message form (spec 11): name, e-mail, message and — when the
 * admin set a consent text — a checkbox named by it; button "Send message".
 * Anti-spam without a third-party CAPTCHA: a honeypot field that people never
 * see (hidden from view and from screen readers, out of the tab order), and
 * the server's minimum fill time. Loaded with the conversation chunk.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Actions, OfflineView } from '../view.js';
import { mailUrl, type T } from '../text.js';

interface Props {
  t: T;
  actions: Actions;
  consentText: string;
  initial: { dn: string; email: string };
  offline: OfflineView;
  idBase: string;
}

type Problem = 'email' | 'text' | 'consent' | null;

export function OfflineForm({ t, actions, consentText, initial, offline, idBase }: Props): JSX.Element {
  const [name, setName] = useState(initial.dn);
  const [email, setEmail] = useState(initial.email);
  const [text, setText] = useState('');
  const [consent, setConsent] = useState(false);
  const [hp, setHp] = useState('');
  const [problem, setProblem] = useState<Problem>(null);
  const first = useRef<HTMLInputElement>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const consentRef = useRef<HTMLInputElement>(null);
  const done = useRef<HTMLParagraphElement>(null);
  useEffect(() => first.current?.focus(), []);
  useEffect(() => {
    if (offline.phase === 'sent') done.current?.focus();
  }, [offline.phase]);
  if (offline.phase === 'sent') {
    return (
      <section class="conv" aria-labelledby={`${idBase}-otitle`}>
        <h2 id={`${idBase}-otitle`}>{t('offlineTitle')}</h2>
        <p class="status" role="status" tabIndex={-1} ref={done}>
          {t('offlineSent')}
        </p>
        <div class="bar">
          <button type="button" class="btn" onClick={() => actions.back()}>
            {t('close')}
          </button>
        </div>
      </section>
    );
  }
  const submit = (e: Event) => {
    e.preventDefault();
    if (!mailUrl(email.trim()) || !email.trim()) {
      setProblem('email');
      emailRef.current?.focus();
      return;
    }
    if (!text.trim()) {
      setProblem('text');
      textRef.current?.focus();
      return;
    }
    if (consentText && !consent) {
      setProblem('consent');
      consentRef.current?.focus();
      return;
    }
    setProblem(null);
    actions.sendOffline({ name: name.trim().slice(0, 100), email: email.trim(), text, consent, hp });
  };
  const err = (p: Problem, key: 'emailNeeded' | 'messageNeeded' | 'consentNeeded') =>
    problem === p ? (
      <span class="err" id={`${idBase}-o${p}err`} role="alert">
        {t(key)}
      </span>
    ) : null;
  const failure = offline.phase === 'error' ? (offline.error === 'limited' ? t('offlineLimited') : t('offlineFailed')) : '';
  return (
    <form class="conv" onSubmit={submit} aria-labelledby={`${idBase}-otitle`} noValidate>
      <h2 id={`${idBase}-otitle`}>{t('offlineTitle')}</h2>
      <p>{t('offlineIntro')}</p>
      <div class="field">
        <label for={`${idBase}-oname`}>{t('yourName')}</label>
        <input ref={first} id={`${idBase}-oname`} name="name" autocomplete="name" maxLength={100} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for={`${idBase}-oemail`}>{t('offlineEmail')}</label>
        <input
          ref={emailRef}
          id={`${idBase}-oemail`}
          name="email"
          type="email"
          autocomplete="email"
          required
          maxLength={254}
          aria-invalid={problem === 'email' ? 'true' : undefined}
          aria-describedby={problem === 'email' ? `${idBase}-oemailerr` : undefined}
          value={email}
          onInput={(e) => {
            setEmail((e.target as HTMLInputElement).value);
            if (problem === 'email') setProblem(null);
          }}
        />
        {err('email', 'emailNeeded')}
      </div>
      <div class="field">
        <label for={`${idBase}-otext`}>{t('message')}</label>
        <textarea
          ref={textRef}
          id={`${idBase}-otext`}
          name="message"
          rows={4}
          required
          maxLength={4000}
          aria-invalid={problem === 'text' ? 'true' : undefined}
          aria-describedby={problem === 'text' ? `${idBase}-otexterr` : undefined}
          value={text}
          onInput={(e) => {
            setText((e.target as HTMLTextAreaElement).value);
            if (problem === 'text') setProblem(null);
          }}
        />
        {err('text', 'messageNeeded')}
      </div>
      {consentText ? (
        <div class="field check">
          <input
            ref={consentRef}
            id={`${idBase}-oconsent`}
            type="checkbox"
            checked={consent}
            aria-invalid={problem === 'consent' ? 'true' : undefined}
            aria-describedby={problem === 'consent' ? `${idBase}-oconsenterr` : undefined}
            onChange={(e) => {
              setConsent((e.target as HTMLInputElement).checked);
              if (problem === 'consent') setProblem(null);
            }}
          />
          <label for={`${idBase}-oconsent`}>{consentText}</label>
          {err('consent', 'consentNeeded')}
        </div>
      ) : null}
      {/* The honeypot: invisible to people and assistive technology; robots fill it in. */}
      <div class="hp" aria-hidden="true">
        <label for={`${idBase}-ohp`}>{t('honeypot')}</label>
        <input id={`${idBase}-ohp`} name="website" tabIndex={-1} autocomplete="off" value={hp} onInput={(e) => setHp((e.target as HTMLInputElement).value)} />
      </div>
      {failure ? (
        <p class="err" role="alert">
          {failure}
        </p>
      ) : null}
      <div class="bar">
        <button type="button" class="btn alt" onClick={() => actions.back()}>
          {t('back')}
        </button>
        <button type="submit" class="btn" disabled={offline.phase === 'sending'}>
          {t('sendMessage')}
        </button>
      </div>
    </form>
  );
}

/** At the end of a chat: the transcript by e-mail, the address asked only when not known yet. */
export function TranscriptOffer({ t, actions, email, sent, idBase }: { t: T; actions: Actions; email: string; sent: string | null; idBase: string }): JSX.Element {
  const [value, setValue] = useState(email);
  const [bad, setBad] = useState(false);
  if (sent) {
    return (
      <p class="status" role="status">
        {t('transcriptSent', sent)}
      </p>
    );
  }
  const submit = (e: Event) => {
    e.preventDefault();
    const v = value.trim();
    if (!v || !mailUrl(v)) return setBad(true);
    actions.sendTranscript(v);
  };
  return (
    <form class="transcript" onSubmit={submit} aria-labelledby={`${idBase}-ttitle`} noValidate>
      <p id={`${idBase}-ttitle`}>{t('transcriptOffer')}</p>
      {email ? null : (
        <div class="field">
          <label for={`${idBase}-temail`}>{t('offlineEmail')}</label>
          <input
            id={`${idBase}-temail`}
            type="email"
            autocomplete="email"
            maxLength={254}
            aria-invalid={bad ? 'true' : undefined}
            aria-describedby={bad ? `${idBase}-temailerr` : undefined}
            value={value}
            onInput={(e) => {
              setValue((e.target as HTMLInputElement).value);
              setBad(false);
            }}
          />
          {bad ? (
            <span class="err" id={`${idBase}-temailerr`} role="alert">
              {t('emailNeeded')}
            </span>
          ) : null}
        </div>
      )}
      <button type="submit" class="btn alt">
        {t('transcriptSend')}
      </button>
    </form>
  );
}

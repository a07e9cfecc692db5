/** Sign in. Only accounts with the admin role may use this app. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { User } from '@cw/protocol';
import { api, ApiError } from '../api.js';
import { TextField } from '../components/fields.js';
import { t } from '../i18n.js';
import { LanguageSelect } from '../i18n.js';
import { msg } from '@cw/client-core';

export const NO_ADMIN = msg('This account has no admin rights. Sign in with an administrator account; agents use the agent console.');

export function Login(p: { onSignedIn: (u: User) => void; notice?: string | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const userRef = useRef<HTMLInputElement | HTMLTextAreaElement | null>(null);
  useEffect(() => userRef.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError(t("Enter your username and password."));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.login(username.trim(), password);
      const me = await api.me();
      if (!me.roles?.includes('admin')) {
        // Do not keep a session this app cannot use.
        await api.logout().catch(() => undefined);
        setError(t(NO_ADMIN));
        return;
      }
      p.onSignedIn(me);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.code === 'invalid-credentials')) setError(t("Wrong username or password."));
      else if (err instanceof ApiError && err.status === 429) setError(err.message || t("Too many attempts. Wait a moment and try again."));
      else if (err instanceof ApiError && err.status === 403) setError(t(NO_ADMIN));
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <div class="login-language">
        <LanguageSelect signedIn={false} id="login-language" />
      </div>
      <form class="login-card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <h1 id="login-title">{t("Contact Widgets")}</h1>
        <p class="hint">{t("Sign in to manage your website widgets.")}</p>
        {p.notice && !error && (
          <p class="banner banner-info" role="status">
            {p.notice}
          </p>
        )}
        {error && (
          <p class="banner banner-error" role="alert">
            {error}
          </p>
        )}
        <TextField label={t("Username")} value={username} onValue={setUsername} autoComplete="username" spellcheck={false} inputRef={userRef} />
        <TextField label={t("Password")} type="password" value={password} onValue={setPassword} autoComplete="current-password" />
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? t("Signing in…") : t("Sign in")}
        </button>
      </form>
    </main>
  );
}

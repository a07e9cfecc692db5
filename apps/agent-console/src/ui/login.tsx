/** The sign-in form (spec 7: Username, Password, Sign in). */
import { useState } from 'preact/hooks';
import { ApiError, login, logout, me, type Me } from '../api.js';
import { t } from '../i18n.js';
import { LanguageSelect } from '../i18n.js';

export function Login(props: { onSignedIn(user: Me): void; message?: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(props.message ?? '');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!username.trim() || !password) {
      setError(t("Enter your username and password."));
      return;
    }
    setBusy(true);
    setError('');
    try {
      await login(username.trim(), password);
      const user = await me();
      if (!user) throw new ApiError(401, 'unauthorized', t("The sign-in did not stick. Are cookies allowed for this site?"));
      if (!user.roles?.includes('agent')) {
        await logout();
        setError(t("This account cannot use the agent console: it does not have the agent role. Ask an administrator to give it the agent role, or use the admin app at /admin."));
        return;
      }
      props.onSignedIn(user);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t("Wrong username or password."));
      else if (err instanceof ApiError && err.status === 429) setError(t("Too many attempts. Wait a minute and try again."));
      else setError(err instanceof Error ? err.message : t("Sign-in failed."));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <div class="login-language">
        <LanguageSelect signedIn={false} id="login-language" />
      </div>
      <form class="login-card" onSubmit={submit} noValidate aria-describedby={error ? 'login-error' : undefined}>
        <h1>{t("Agent console")}</h1>
        <p class="muted">{t("Sign in to take calls and chats from your website visitors.")}</p>
        <label for="login-username">{t("Username")}</label>
        <input id="login-username" name="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required autoFocus />
        <label for="login-password">{t("Password")}</label>
        <input id="login-password" name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
        {error && (
          <p id="login-error" class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("Signing in…") : t("Sign in")}
        </button>
      </form>
    </main>
  );
}

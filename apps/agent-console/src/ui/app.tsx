/** Decides between sign-in and the console; keeps the session across reloads (GET /api/me). */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { logout, me, type Me } from '../api.js';
import { ConsoleStore } from '../state/store.js';
import { registerTestHooks } from '../test-hooks.js';
import { Console } from './console.js';
import { Login } from './login.js';
import { useLanguage } from '../i18n.js';
import { language } from '../i18n.js';
import { useStoreState } from './use-store.js';
import { t } from '../i18n.js';

function SignedIn(props: { user: Me; onSignedOut(msg?: string): void }) {
  const store = useMemo(() => new ConsoleStore(props.user), [props.user]);
  useEffect(() => {
    store.start();
    const unhook = registerTestHooks(store);
    // The first click or key press lets the browser play the ring tone later.
    const unlock = () => store.ringtone.unlock();
    window.addEventListener('pointerdown', unlock, { capture: true });
    window.addEventListener('keydown', unlock, { capture: true });
    return () => {
      unhook();
      window.removeEventListener('pointerdown', unlock, { capture: true });
      window.removeEventListener('keydown', unlock, { capture: true });
      store.stop();
    };
  }, [store]);
  const s = useStoreState(store);
  useEffect(() => {
    if (s.link === 'signed-out') props.onSignedOut(s.linkText);
  }, [s.link]);
  return (
    <Console
      store={store}
      onSignOut={() => {
        store.stop();
        void logout().then(() => props.onSignedOut());
      }}
    />
  );
}

export function App() {
  useLanguage();
  const [user, setUser] = useState<Me | null | undefined>(undefined);
  const [message, setMessage] = useState('');
  useEffect(() => {
    me()
      .then((u) => {
        // The user's language, as chosen on any browser, wins over this browser's.
        if (u?.lang && u.lang !== language.lang) void language.use(u.lang, { remember: true });
        if (u && !u.roles?.includes('agent')) {
          setMessage(t("This account cannot use the agent console: it does not have the agent role. Ask an administrator to give it the agent role."));
          setUser(null);
        } else setUser(u);
      })
      .catch(() => {
        setMessage(t("The server cannot be reached right now. Try again in a moment."));
        setUser(null);
      });
  }, []);
  if (user === undefined) return <p class="boot">{t("Loading the agent console…")}</p>;
  if (user === null)
    return (
      <Login
        message={message}
        onSignedIn={(u) => {
          if (u.lang && u.lang !== language.lang) void language.use(u.lang, { remember: true });
          setMessage('');
          setUser(u);
        }}
      />
    );
  return (
    <SignedIn
      user={user}
      onSignedOut={(msg) => {
        setMessage(msg ?? '');
        setUser(null);
      }}
    />
  );
}

/** The app shell: session check, sign in/out, navigation between pages. */
import { useEffect, useState } from 'preact/hooks';
import type { User } from '@cw/protocol';
import { api, onUnauthorized } from './api.js';
import { ConfirmHost } from './components/confirm.js';
import { Login, NO_ADMIN } from './pages/login.js';
import { WidgetsPage } from './pages/widgets-page.js';
import { UsersPage } from './pages/users-page.js';
import { GroupsPage } from './pages/groups-page.js';
import { FlagsPage } from './pages/flags-page.js';
import { SchedulesPage } from './pages/schedules-page.js';
import { StatisticsPage } from './pages/statistics-page.js';
import { WebhooksPage } from './pages/webhooks-page.js';
import { AuditPage } from './pages/audit-page.js';
import { PhoneSystemPage } from './pages/phone-system-page.js';
import { clearDirty, confirmDiscard, navigate, ROUTES, useRoute, useUnsaved } from './nav.js';

export function App() {
  const [me, setMe] = useState<User | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const route = useRoute();
  const unsaved = useUnsaved();

  useEffect(() => {
    api
      .me()
      .then((u) => {
        if (u.roles?.includes('admin')) setMe(u);
        else {
          setNotice(NO_ADMIN);
          setMe(null);
        }
      })
      .catch(() => setMe(null));
    return onUnauthorized(() => {
      clearDirty();
      setNotice('Your session has ended. Please sign in again.');
      setMe(null);
    });
  }, []);

  useEffect(() => {
    const label = ROUTES.find((r) => r.route === route)?.label ?? 'Widgets';
    document.title = me ? `${label} — Contact Widgets admin` : 'Sign in — Contact Widgets admin';
  }, [route, me]);

  const signOut = async () => {
    if (!(await confirmDiscard())) return;
    await api.logout().catch(() => undefined);
    setNotice('You are signed out.');
    setMe(null);
  };
  const expired = () => {
    clearDirty();
    setNotice('Your session has ended. Please sign in again.');
    setMe(null);
  };

  if (me === undefined)
    return (
      <p class="loading" role="status">
        Loading…
      </p>
    );
  if (me === null)
    return (
      <>
        <Login
          notice={notice}
          onSignedIn={(u) => {
            setNotice(null);
            setMe(u);
          }}
        />
        <ConfirmHost />
      </>
    );

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">Contact Widgets</span>
        <nav aria-label="Main">
          <ul>
            {ROUTES.map((r) => (
              <li key={r.route}>
                <a
                  href={r.path}
                  aria-current={route === r.route ? 'page' : undefined}
                  onClick={(e) => {
                    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
                    e.preventDefault();
                    void navigate(r.path);
                  }}
                >
                  {r.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="spacer" />
        {unsaved && (
          <span class="unsaved-dot" title="Unsaved changes">
            <span class="sr-only">There are unsaved changes</span>
          </span>
        )}
        <span class="who">{me.displayName || me.username}</span>
        <button type="button" class="btn btn-small btn-on-dark" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {route === 'widgets' && <WidgetsPage onUnauthorized={expired} />}
        {route === 'users' && <UsersPage me={me} onUnauthorized={expired} />}
        {route === 'groups' && <GroupsPage onUnauthorized={expired} />}
        {route === 'flags' && <FlagsPage onUnauthorized={expired} />}
        {route === 'schedules' && <SchedulesPage onUnauthorized={expired} />}
        {route === 'statistics' && <StatisticsPage onUnauthorized={expired} />}
        {route === 'webhooks' && <WebhooksPage onUnauthorized={expired} />}
        {route === 'audit' && <AuditPage onUnauthorized={expired} />}
        {route === 'phone-system' && <PhoneSystemPage onUnauthorized={expired} />}
      </main>
      <ConfirmHost />
    </>
  );
}

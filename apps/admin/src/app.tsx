/** The app shell: session check, sign in/out, navigation between pages. */
import { useEffect, useRef, useState } from 'preact/hooks';
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
import { language, t } from './i18n.js';
import { LanguageSelect, useLanguage } from './i18n.js';

/** The user's language, as chosen on any browser (GET /api/me), wins over this browser's. */
function adoptUserLanguage(u: User): void {
  const lang = (u as User & { lang?: string }).lang;
  if (lang && lang !== language.lang) void language.use(lang, { remember: true });
}

export function App() {
  useLanguage();
  const [me, setMe] = useState<User | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const route = useRoute();
  const unsaved = useUnsaved();

  useEffect(() => {
    api
      .me()
      .then((u) => {
        adoptUserLanguage(u);
        if (u.roles?.includes('admin')) setMe(u);
        else {
          setNotice(t(NO_ADMIN));
          setMe(null);
        }
      })
      .catch(() => setMe(null));
    return onUnauthorized(() => {
      clearDirty();
      setNotice(t("Your session has ended. Please sign in again."));
      setMe(null);
    });
  }, []);

  // The sticky top bar's height, for what sticks below it (a widget's Save and Code): it wraps on narrow windows.
  const topbar = useRef<HTMLElement>(null);
  useEffect(() => {
    const bar = topbar.current;
    if (!bar || typeof ResizeObserver === 'undefined') return;
    const set = () => document.documentElement.style.setProperty('--topbar-h', `${Math.ceil(bar.getBoundingClientRect().height)}px`);
    set();
    const ro = new ResizeObserver(set);
    ro.observe(bar);
    return () => ro.disconnect();
  }, [me]);

  useEffect(() => {
    const label = t(ROUTES.find((r) => r.route === route)?.label ?? 'Widgets');
    document.title = me ? t("{label} — Contact Widgets admin", { label }) : t("Sign in — Contact Widgets admin");
  }, [route, me]);

  const signOut = async () => {
    if (!(await confirmDiscard())) return;
    await api.logout().catch(() => undefined);
    setNotice(t("You are signed out."));
    setMe(null);
  };
  const expired = () => {
    clearDirty();
    setNotice(t("Your session has ended. Please sign in again."));
    setMe(null);
  };

  if (me === undefined)
    return (
      <p class="loading" role="status">
        {t("Loading…")}
      </p>
    );
  if (me === null)
    return (
      <>
        <Login
          notice={notice}
          onSignedIn={(u) => {
            // The sign-in answer is the user without settings; /api/me has the language.
            void api.me().then(adoptUserLanguage, () => undefined);
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
        {t("Skip to content")}
      </a>
      <header class="topbar" ref={topbar}>
        <span class="brand">{t("Contact Widgets")}</span>
        <nav aria-label={t("Main")}>
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
                  {t(r.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="spacer" />
        {unsaved && (
          <span class="unsaved-dot" title={t("Unsaved changes")}>
            <span class="sr-only">{t("There are unsaved changes")}</span>
          </span>
        )}
        <LanguageSelect signedIn />
        <span class="who">{me.displayName || me.username}</span>
        <button type="button" class="btn btn-small btn-on-dark" onClick={signOut}>
          {t("Sign out")}
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

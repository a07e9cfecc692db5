/**
 * The widgets page: every widget as an expandable panel, and buttons to add
 * a sidebar or a business-cards widget.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Flag, Group, User, Widget } from '@cw/protocol';
import { api } from '../api.js';
import { ErrorBanner } from '../components/fields.js';
import { failHandler } from '../components/page.js';
import { WidgetPanel } from '../widget/widget-panel.js';
import { isDirty } from '../nav.js';
import { hasStash } from '../widget/stash.js';
import { makeDirectory, emptyDirectory, type Directory } from '../widget/directory.js';
import { t, tx } from '../i18n.js';

/** The original product's default names: "New Sidebar Widget", or "… 2", "… 3" when taken. */
export function uniqueName(base: string, taken: string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base} ${i}`)) return `${base} ${i}`;
}

export function WidgetsPage(p: { onUnauthorized: () => void }) {
  const [widgets, setWidgets] = useState<Widget[] | null>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [fresh, setFresh] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dir, setDir] = useState<Directory>(emptyDirectory);
  const [people, setPeople] = useState<{ users: User[]; groups: Group[] }>({ users: [], groups: [] });
  const [flags, setFlags] = useState<Flag[]>([]);
  const [creating, setCreating] = useState(false);

  const fail = failHandler(p.onUnauthorized, setError);

  useEffect(() => {
    api
      .widgets()
      .then((list) => {
        setWidgets(list);
        // Open the only widget, and any with changes kept from an ended session.
        setExpanded(new Set(list.filter((x) => list.length === 1 || hasStash(x.uuid)).map((x) => x.uuid)));
      })
      .catch(fail);
    // Directory and flags only improve the display; the page works without them.
    Promise.all([api.users().catch(() => []), api.groups().catch(() => [])]).then(([u, g]) => {
      setPeople({ users: u, groups: g });
      setDir(makeDirectory(u, g));
    });
    api.flags().then(setFlags).catch(() => undefined);
  }, []);

  const add = async (type: 'sidebar' | 'cards') => {
    setCreating(true);
    setError(null);
    // Close the others at once, not when the server answers: until then the old widget's
    // Name field would be the only one on the page, and typing (or a test) could land in it.
    setExpanded((s) => new Set([...s].filter(isDirty)));
    try {
      const base = type === 'sidebar' ? t("New Sidebar Widget") : t("New Business Cards Widget");
      const name = uniqueName(base, (widgets ?? []).map((w) => w.name));
      const w = await api.createWidget({ type, name, lang: 'en', agents: [] });
      setWidgets((list) => [...(list ?? []), w]);
      // Focus on the new widget: others close unless they hold unsaved changes.
      setExpanded((s) => new Set([...[...s].filter(isDirty), w.uuid]));
      setFresh(w.uuid);
      requestAnimationFrame(() => document.querySelector(`[data-uuid="${w.uuid}"]`)?.scrollIntoView({ block: 'start', behavior: 'smooth' }));
    } catch (e) {
      fail(e);
    } finally {
      setCreating(false);
    }
  };

  // One widget open at a time (others stay open only while they hold unsaved changes),
  // so Save, Code and Add agent on the page belong to the widget being worked on.
  const toggle = (uuid: string) =>
    setExpanded((s) => {
      if (s.has(uuid)) return new Set([...s].filter((x) => x !== uuid));
      return new Set([...[...s].filter(isDirty), uuid]);
    });

  const sorted = useMemo(() => widgets ?? [], [widgets]);
  return (
    <div class="page">
      <div class="page-head">
        <h1>{t("Widgets")}</h1>
        <div class="actions">
          <button type="button" class="btn btn-primary" disabled={creating} onClick={() => add('sidebar')}>
            <span aria-hidden="true">+ </span>{t("Add new sidebar widget")}
          </button>
          <button type="button" class="btn btn-primary" disabled={creating} onClick={() => add('cards')}>
            <span aria-hidden="true">+ </span>{t("Add new business cards widget")}
          </button>
        </div>
      </div>
      <ErrorBanner message={error} />
      {widgets === null && !error && <p class="loading">{t("Loading widgets…")}</p>}
      {widgets !== null && widgets.length === 0 && (
        <div class="empty-state">
          <p class="empty-title">{t("There are no widgets yet.")} {t("Three steps to the first one:")}</p>
          <ol class="steps">
            <li>
              {tx("{agents} with the agent role and a SIP-ID: add them under {users} (or later, from inside a widget’s “Add agent” dialog).", { agents: <strong>{t("Agents are users")}</strong>, users: <strong>{t("Users")}</strong> })}
            </li>
            <li>
              {tx("{add} with the buttons above — {intro} Then add its agents, save, and press {code} to get the lines for your website.", { add: <strong>{t("Add a widget")}</strong>, intro: t("A sidebar sits at the edge of your website and opens when a visitor is interested. Business cards sit inside your page content. Add one to get started."), code: <strong>{t("Code")}</strong> })}
            </li>
            <li>
              {tx("{signIn} at {console} and set themselves Online: visitors can then chat with them and call them.", { signIn: <strong>{t("Agents sign in")}</strong>, console: <a href="/agent">{t("the agent console")}</a> })}
            </li>
          </ol>
        </div>
      )}
      <div class="widget-list">
        {sorted.map((w) => (
          <WidgetPanel
            key={w.uuid}
            widget={w}
            expanded={expanded.has(w.uuid)}
            onToggle={() => toggle(w.uuid)}
            focusName={fresh === w.uuid}
            onSaved={(saved) => setWidgets((list) => (list ?? []).map((x) => (x.uuid === w.uuid ? { ...x, ...saved } : x)))}
            onDeleted={() => setWidgets((list) => (list ?? []).filter((x) => x.uuid !== w.uuid))}
            onUnauthorized={p.onUnauthorized}
            dir={dir}
            flags={flags}
            onUserCreated={(u) => {
              const next = { users: [...people.users, u], groups: people.groups };
              setPeople(next);
              setDir(makeDirectory(next.users, next.groups));
            }}
          />
        ))}
      </div>
    </div>
  );
}

/**
 * One widget in the list: a labelled region with a header that expands and
 * collapses it, Save (marked while there are unsaved changes), Code and
 * Delete; when expanded its settings, agents and a live preview.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'preact/hooks';
import type { User, Flag, Widget } from '@cw/protocol';
import { api, ApiError, onUnauthorized } from '../api.js';
import { stashDraft, takeStash } from './stash.js';
import { ask } from '../components/confirm.js';
import { setDirty } from '../nav.js';
import { SettingsForm } from './settings-form.js';
import { revealField } from './fold.js';
import { AgentList, agentName } from './agent-list.js';
import { AgentDialog } from './agent-dialog.js';
import { CodeDialog } from './code-dialog.js';
import { PreviewPanel } from '../preview/preview-panel.js';
import { agentErrorPath, emptyAgent, errorsUnder, humanError, remainingErrors, sameDraft, toBody, toDraft, validateDraft, type AgentDraft, type Draft } from './draft.js';
import type { Directory } from './directory.js';
import { t } from '../i18n.js';

export interface WidgetPanelProps {
  widget: Widget;
  expanded: boolean;
  onToggle: () => void;
  onSaved: (w: Widget) => void;
  onDeleted: () => void;
  onUnauthorized: () => void;
  dir: Directory;
  flags: Flag[];
  /** a user was created from the agent dialog: the directory gains them */
  onUserCreated?: (u: User) => void;
  /** Focus the Name field once (a new widget). */
  focusName?: boolean;
}

/** Keeps list keys of agents stable across a save (same order, same rows). */
function keepKeys(next: Draft, prev: Draft): Draft {
  return { ...next, agents: next.agents.map((a, i) => (prev.agents[i]?.sipId === a.sipId ? { ...a, key: prev.agents[i]!.key } : a)) };
}

/** Server errors about one agent, keyed by the agent's own field ("media[1]" → "media"). */
function agentServerErrors(errors: Record<string, string>, index: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(errors)) {
    const p = agentErrorPath(k);
    if (p && p.index === index) out[p.rest.split(/[.[]/)[0] || 'sipId'] = v;
  }
  return out;
}

export function WidgetPanel(p: WidgetPanelProps) {
  const w = p.widget;
  const [saved, setSaved] = useState<Draft>(() => toDraft(w));
  const [stash] = useState(() => takeStash(w.uuid));
  // When the version we edit was stored: a newer one means someone else saved meanwhile.
  const savedAt = useRef<number | undefined>(w.updatedAt);
  const [draft, setDraft] = useState<Draft>(stash ?? saved);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<{ kind: 'error' | 'ok' | 'info'; text: string } | null>(
    stash ? { kind: 'info', text: t("Your unsaved changes from before the session ended are back. Save them when you are ready.") } : null,
  );
  const [saving, setSaving] = useState(false);
  const [agentDlg, setAgentDlg] = useState<{ index: number | null; initial: AgentDraft } | null>(null);
  const [codeOpen, setCodeOpen] = useState(false);
  const headId = useId();
  const bodyId = useId();
  const statusId = useId();
  const nameRef = useRef<HTMLInputElement | HTMLTextAreaElement | null>(null);
  const rootRef = useRef<HTMLElement>(null);
  const dirty = useMemo(() => !sameDraft(draft, saved), [draft, saved]);

  useEffect(() => setDirty(w.uuid, dirty), [dirty, w.uuid]);
  // If the session ends while this draft has changes, keep it for after the next sign-in.
  const live = useRef({ draft, dirty });
  live.current = { draft, dirty };
  useEffect(
    () =>
      onUnauthorized(() => {
        if (live.current.dirty) stashDraft(w.uuid, live.current.draft);
      }),
    [w.uuid],
  );
  useEffect(() => () => setDirty(w.uuid, false), [w.uuid]);
  const focusedOnce = useRef(false);
  useEffect(() => {
    if (p.focusName && p.expanded && !focusedOnce.current) {
      focusedOnce.current = true;
      nameRef.current?.focus();
      (nameRef.current as HTMLInputElement | null)?.select();
    }
  }, [p.focusName, p.expanded]);

  const change = (d: Draft) => {
    const next = remainingErrors(errors, draft, d);
    setErrors(next);
    setDraft(d);
    // A stale banner goes: "Saved" after an edit, "Not saved: …" once every field it was about is fixed.
    if (banner?.kind === 'ok' || (banner?.kind === 'error' && Object.keys(errors).length > 0 && Object.keys(next).length === 0)) setBanner(null);
  };

  /** Checks the fields under `prefix` when the user leaves them. */
  const checkField = (prefix: string) =>
    setErrors((e) => {
      const kept = Object.fromEntries(Object.entries(e).filter(([k]) => !(k === prefix || k.startsWith(`${prefix}.`) || k.startsWith(`${prefix}[`))));
      return { ...kept, ...errorsUnder(draft, prefix) };
    });

  const focusField = (path: string) => {
    const root = rootRef.current;
    if (!root) return;
    const agentPath = agentErrorPath(path);
    const field =
      root.querySelector<HTMLElement>(`[data-field="${CSS.escape(path)}"]`) ??
      (agentPath ? root.querySelector<HTMLElement>(`[data-field="agents[${agentPath.index}]"]`) : null) ??
      root.querySelector<HTMLElement>(`[data-field="${CSS.escape(path.replace(/\[\d+\].*$/, ''))}"]`);
    // A field in a folded section (Appearance, Advanced): open it first, focus once it shows.
    if (field && revealField(field)) requestAnimationFrame(() => field.focus());
    else field?.focus();
  };

  const save = async () => {
    const local = validateDraft(draft);
    setErrors(local);
    const first = Object.keys(local)[0];
    if (first) {
      setBanner({ kind: 'error', text: Object.keys(local).length === 1 ? t('Not saved: one field needs your attention.') : t('Not saved: {count} fields need your attention.', { count: Object.keys(local).length }) });
      requestAnimationFrame(() => focusField(first));
      return;
    }
    setSaving(true);
    setBanner(null);
    try {
      const current = await api.widget(w.uuid).catch((e) => {
        if (e instanceof ApiError && e.status === 401) throw e;
        return null; // the check is a courtesy; the save itself decides
      });
      if (current && savedAt.current !== undefined && typeof current.updatedAt === 'number' && current.updatedAt !== savedAt.current) {
        const overwrite = await ask({
          title: t("Overwrite changes made elsewhere?"),
          message: t("“{name}” was saved by someone else after you opened it. Saving now replaces their version with yours.", { name: current.name }),
          confirmLabel: t("Overwrite"),
          cancelLabel: t("Cancel"),
          danger: true,
        });
        if (!overwrite) {
          setBanner({ kind: 'error', text: t("Not saved. Reload the page to see the other version (your changes here would be lost), or save again to overwrite it.") });
          savedAt.current = current.updatedAt;
          return;
        }
      }
      const body = toBody(draft);
      const stored = await api.putWidget(w.uuid, body);
      const next = keepKeys(toDraft(stored), draft);
      savedAt.current = stored.updatedAt;
      setSaved(next);
      setDraft(next);
      setErrors({});
      setBanner({ kind: 'ok', text: t("Saved. Open widgets on websites update now.") });
      p.onSaved(stored);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return p.onUnauthorized();
      if (e instanceof ApiError && e.field) {
        const msg = humanError(e.field, e.message);
        const agentPath = agentErrorPath(e.field);
        setErrors({ [e.field]: msg });
        setBanner({ kind: 'error', text: t('Not saved: {reason}', { reason: `${agentPath ? `${agentName(draft.agents[agentPath.index] ?? emptyAgent(), p.dir)}: ` : ''}${msg}` }) });
        requestAnimationFrame(() => focusField(e.field!));
      } else setBanner({ kind: 'error', text: t('Not saved: {reason}', { reason: e instanceof Error ? e.message : String(e) }) });
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    const ok = await ask({
      title: t("Delete widget “{name}”?", { name: saved.name }),
      message: t("Websites that embed it stop showing it at once. This cannot be undone."),
      confirmLabel: t("Delete widget"),
      danger: true,
    });
    if (!ok) return;
    try {
      await api.deleteWidget(w.uuid);
      setDirty(w.uuid, false);
      p.onDeleted();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return p.onUnauthorized();
      setBanner({ kind: 'error', text: t('Not deleted: {reason}', { reason: e instanceof Error ? e.message : String(e) }) });
    }
  };

  const setAgents = (agents: AgentDraft[]) => {
    change({ ...draft, agents });
    // Agent errors are by index: after a change they no longer point right.
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith('agents['))));
  };

  const agentErrors: Record<number, string> = {};
  for (const [k, v] of Object.entries(errors)) {
    const agentPath = agentErrorPath(k);
    if (agentPath && agentErrors[agentPath.index] === undefined) agentErrors[agentPath.index] = v;
  }

  const removeAgent = async (i: number) => {
    const a = draft.agents[i]!;
    const ok = await ask({ title: t("Remove {name}?", { name: agentName(a, p.dir) }), message: t("The agent disappears from this widget when you save."), confirmLabel: t("Remove agent"), danger: true });
    if (ok) setAgents(draft.agents.filter((_, j) => j !== i));
  };

  const typeLabel = draft.type === 'sidebar' ? t('Sidebar') : t("Business cards");
  const otherErrors = Object.entries(errors).filter(([k]) => !k.startsWith('agents['));
  return (
    <div class={`widget-card ${p.expanded ? 'expanded' : ''} ${dirty ? 'is-dirty' : ''}`}>
      <section
        class="widget"
        aria-labelledby={headId}
        ref={rootRef}
        data-uuid={w.uuid}
        onKeyDown={(e) => {
          // Ctrl+S / Cmd+S saves the widget being edited instead of the web page.
          if (p.expanded && (e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's' && !agentDlg && !codeOpen) {
            e.preventDefault();
            void save();
          }
        }}
      >
        <header class="widget-head">
          <h2 class="widget-title">
            {/* Named by the widget's name alone (the type badge sits beside it). */}
            <button type="button" class="toggle" aria-expanded={p.expanded} aria-controls={bodyId} onClick={p.onToggle}>
              <span class="chevron" aria-hidden="true">
                ▸
              </span>
              <span id={headId} class="widget-name">
                {draft.name || t("Unnamed widget")}
              </span>
            </button>
            <span class="badge">{typeLabel}</span>
          </h2>
          <button
            type="button"
            class="icon-btn pen"
            title={t("Rename")}
            onClick={() => {
              if (!p.expanded) p.onToggle();
              requestAnimationFrame(() => {
                nameRef.current?.focus();
                (nameRef.current as HTMLInputElement | null)?.select();
              });
            }}
          >
            <svg aria-hidden="true" width="16" height="16" viewBox="0 0 16 16">
              <path d="M11.5 1.5l3 3-9 9H2.5v-3z M10 3l3 3" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round" />
            </svg>
            <span class="sr-only">{t("Rename")}</span>
          </button>
          <span class="spacer" />
          <span id={statusId} class={`save-state ${dirty ? 'dirty' : ''}`} aria-live="polite">
            {saving ? t("Saving…") : dirty ? t("Unsaved changes") : ''}
          </span>
          {/* Actions only on an open widget: one Save, Code and Delete per open panel. */}
          {p.expanded && (
            <>
              <button type="button" class={`btn save-btn ${dirty ? 'dirty' : ''}`} onClick={save} disabled={saving} aria-describedby={statusId}>
                {t("Save")}
              </button>
              <button type="button" class="btn" onClick={() => setCodeOpen(true)}>
                {t("Code")}
              </button>
              <button type="button" class="btn btn-quiet-danger" onClick={remove}>
                {t("Delete")}
              </button>
            </>
          )}
        </header>
        {banner && (
          <div class={`banner banner-${banner.kind}`} role={banner.kind === 'error' ? 'alert' : 'status'}>
            {banner.text}
            {banner.kind === 'error' && otherErrors.length + Object.keys(agentErrors).length > 1 && (
              <ul>
                {Object.entries(errors).map(([k, v]) => (
                  <li key={k}>
                    <a
                      href={`#${k}`}
                      onClick={(e) => {
                        e.preventDefault();
                        focusField(k);
                      }}
                    >
                      {v}
                    </a>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <div id={bodyId} class="widget-body" hidden={!p.expanded}>
          {p.expanded && (
            <SettingsForm
              draft={draft}
              errors={errors}
              onChange={change}
              onLeaveField={checkField}
              nameRef={nameRef}
              agents={
                <fieldset class="section agents-section">
                  <legend class="section-title">{t("Agents")}</legend>
                  <p class="hint section-note">{t("Who visitors can contact, in the order shown on the website.")}</p>
                  <AgentList
                    agents={draft.agents}
                    dir={p.dir}
                    flags={p.flags}
                    errors={agentErrors}
                    label={draft.name ? t('Agents of {name}', { name: draft.name }) : t('Agents of this widget')}
                    onMove={(from, to) => {
                      const next = [...draft.agents];
                      const [a] = next.splice(from, 1);
                      next.splice(to, 0, a!);
                      setAgents(next);
                    }}
                    onEdit={(i) => setAgentDlg({ index: i, initial: draft.agents[i]! })}
                    onRemove={(i) => void removeAgent(i)}
                  />
                  <button type="button" class="btn add-agent" onClick={() => setAgentDlg({ index: null, initial: emptyAgent() })}>
                    <span aria-hidden="true">+ </span>{t("Add agent")}
                  </button>
                </fieldset>
              }
            />
          )}
        </div>
        {agentDlg && (
          <AgentDialog
            initial={agentDlg.initial}
            isNew={agentDlg.index === null}
            widgetType={draft.type}
            widgetAddress={draft.contact.address}
            flags={p.flags}
            dir={p.dir}
            onUserCreated={p.onUserCreated}
            taken={draft.agents.filter((_, j) => j !== agentDlg.index).map((a) => a.sipId)}
            serverErrors={agentDlg.index !== null ? agentServerErrors(errors, agentDlg.index) : undefined}
            onCancel={() => setAgentDlg(null)}
            onOk={(a) => {
              const i = agentDlg.index;
              setAgentDlg(null);
              if (i === null) setAgents([...draft.agents, a]);
              else {
                change({ ...draft, agents: draft.agents.map((x, j) => (j === i ? a : x)) });
                setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => agentErrorPath(k)?.index !== i)));
              }
            }}
          />
        )}
        {codeOpen && <CodeDialog uuid={w.uuid} name={saved.name} unsaved={dirty} onClose={() => setCodeOpen(false)} />}
      </section>
      {p.expanded && <PreviewPanel draft={draft} uuid={w.uuid} dir={p.dir} flags={p.flags} name={draft.name} />}
    </div>
  );
}

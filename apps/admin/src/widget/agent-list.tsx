/**
 * The agents of a widget, in display order. Reorder by drag and drop, or by
 * keyboard: the Move up / Move down buttons, or Alt+Arrow keys on a row, with
 * an announcement for screen readers.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { Flag, Media } from '@cw/protocol';
import type { AgentDraft } from './draft.js';
import { emptyDirectory, unknownSipId, type Directory } from './directory.js';
import { AVAILABILITY_INFO } from './agent-dialog.js';
import { t } from '../i18n.js';
import { msg } from '@cw/client-core';

export interface AgentListProps {
  agents: AgentDraft[];
  dir: Directory;
  flags: Flag[];
  /** Error text per agent index (from validation or the server). */
  errors: Record<number, string>;
  onMove: (from: number, to: number) => void;
  onEdit: (index: number) => void;
  onRemove: (index: number) => void;
  label: string;
}

const MEDIA_WORD: Record<Media, string> = { voice: msg("Voice"), video: msg("Video"), chat: msg("Chat"), email: msg("E-mail") };

/** Rows rendered at once; a widget may list 1,000 agents (spec 14). */
export const AGENT_PAGE = 50;
/** From this many agents on, the list has a search field. */
const SEARCH_FROM = 12;

export function agentName(a: AgentDraft, dir: Directory): string {
  return a.displayName || dir.bySipId(a.sipId)?.name || a.sipId;
}

export function AgentList(p: AgentListProps) {
  const [dragKey, setDragKey] = useState<string | null>(null);
  const [overKey, setOverKey] = useState<string | null>(null);
  const [announce, setAnnounce] = useState('');
  const [query, setQuery] = useState('');
  const [limit, setLimit] = useState(AGENT_PAGE);
  const searchId = useId();
  const listRef = useRef<HTMLOListElement>(null);
  // After a keyboard move, focus follows the moved row's control.
  const refocus = useRef<{ key: string; sel: string } | null>(null);

  useEffect(() => {
    const r = refocus.current;
    if (!r) return;
    refocus.current = null;
    const row = listRef.current?.querySelector<HTMLElement>(`[data-key="${r.key}"]`);
    const target = row?.querySelector<HTMLElement>(r.sel);
    (target && !(target as HTMLButtonElement).disabled ? target : row?.querySelector<HTMLElement>('.move-btn:not([disabled])') ?? row)?.focus();
  });

  const move = (from: number, to: number, focusSel?: string) => {
    if (to < 0 || to >= p.agents.length || from === to) return;
    const a = p.agents[from]!;
    if (focusSel) refocus.current = { key: a.key, sel: focusSel };
    p.onMove(from, to);
    setAnnounce(t("{name} moved to position {position} of {count}.", { name: agentName(a, p.dir), position: to + 1, count: p.agents.length }));
  };

  if (!p.agents.length)
    return (
      <p class="empty">
        {t("No agents yet. Visitors see nobody to contact until you add one.")}
      </p>
    );

  const q = query.trim().toLowerCase();
  const matching = p.agents.map((a, i) => ({ a, i })).filter(({ a, i }) => !q || !!p.errors[i] || agentName(a, p.dir).toLowerCase().includes(q) || a.sipId.toLowerCase().includes(q));
  // Rows with an error are always shown, so the error list can lead to them.
  const shown = matching.filter((r, n) => n < limit || !!p.errors[r.i]);

  return (
    <>
      {p.agents.length >= SEARCH_FROM && (
        <div class="field agent-search">
          <label for={searchId}>{t('Search agents')}</label>
          <input
            id={searchId}
            type="search"
            value={query}
            maxLength={100}
            onInput={(e) => {
              setQuery((e.currentTarget as HTMLInputElement).value);
              setLimit(AGENT_PAGE);
            }}
          />
          <div class="hint" role="status">
            {q ? t('{matched} of {count} agents match.', { matched: String(matching.length), count: String(p.agents.length) }) : t('{count} agents.', { count: String(p.agents.length) })}
          </div>
        </div>
      )}
      <ol class="agent-list" aria-label={p.label} ref={listRef}>
        {shown.map(({ a, i }) => {
          const name = agentName(a, p.dir);
          const av = t(AVAILABILITY_INFO[a.availability].label);
          const flag = a.availability === 'boolean' ? p.flags.find((f) => f.id === a.flag) : undefined;
          return (
            <li
              key={a.key}
              data-key={a.key}
              class={`agent-row ${dragKey === a.key ? 'dragging' : ''} ${overKey === a.key && dragKey !== a.key ? 'drop-target' : ''} ${p.errors[i] ? 'has-error' : ''}`}
              draggable
              onDragStart={(e) => {
                setDragKey(a.key);
                e.dataTransfer?.setData('text/plain', a.key);
                if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
              }}
              onDragEnd={() => {
                setDragKey(null);
                setOverKey(null);
              }}
              onDragOver={(e) => {
                if (!dragKey) return;
                e.preventDefault();
                if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
                setOverKey(a.key);
              }}
              onDrop={(e) => {
                e.preventDefault();
                const key = dragKey ?? e.dataTransfer?.getData('text/plain');
                const from = p.agents.findIndex((x) => x.key === key);
                setDragKey(null);
                setOverKey(null);
                if (from >= 0) move(from, i);
              }}
              onKeyDown={(e) => {
                if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
                e.preventDefault();
                // Keep focus on the same control in the moved row.
                const role = (e.target as HTMLElement).dataset?.role;
                move(i, e.key === 'ArrowUp' ? i - 1 : i + 1, role ? `[data-role="${role}"]` : '.move-btn');
              }}
            >
              <span class="drag-handle" aria-hidden="true" title={t("Drag to reorder")}>
                ⋮⋮
              </span>
              {a.picture ? <img class="agent-pic" src={a.picture} alt="" /> : <span class="agent-pic none" aria-hidden="true">{name.slice(0, 1).toUpperCase()}</span>}
              <span class="agent-main">
                <span class="agent-name">{name}</span>
                <span class="agent-meta">
                  {a.sipId} · {a.media.length ? a.media.map((m) => t(MEDIA_WORD[m])).join(', ') : t('not reachable')} · {av}
                  {flag ? ` (${flag.name}: ${flag.value ? 'on' : 'off'})` : ''}
                </span>
                {p.errors[i] && <span class="field-error">{p.errors[i]}</span>}
                {!p.errors[i] && p.dir !== emptyDirectory && a.availability !== 'inactive' && !p.dir.bySipId(a.sipId) && (
                  <span class="field-warning">{unknownSipId(a.sipId)}</span>
                )}
              </span>
              <span class="agent-actions">
                <button type="button" class="icon-btn move-btn" data-role="up" disabled={i === 0} onClick={() => move(i, i - 1, '[data-role="up"]')} aria-label={t("Move up: {name}", { name })} title={t("Move up (Alt+Arrow Up)")}>
                  <span aria-hidden="true">↑</span>
                </button>
                <button type="button" class="icon-btn move-btn" data-role="down" disabled={i === p.agents.length - 1} onClick={() => move(i, i + 1, '[data-role="down"]')} aria-label={t("Move down: {name}", { name })} title={t("Move down (Alt+Arrow Down)")}>
                  <span aria-hidden="true">↓</span>
                </button>
                <button type="button" class="btn btn-small" data-role="edit" data-field={`agents[${i}]`} onClick={() => p.onEdit(i)} aria-label={t("Edit {name}", { name })}>
                  {t("Edit")}
                </button>
                <button type="button" class="btn btn-small btn-quiet-danger" data-role="remove" onClick={() => p.onRemove(i)} aria-label={t("Remove {name}", { name })}>
                  {t("Remove")}
                </button>
              </span>
            </li>
          );
        })}
      </ol>
      {matching.length > shown.length && (
        <button type="button" class="btn more-agents" onClick={() => setLimit(limit + AGENT_PAGE * 4)}>
          {t('Show more agents ({count} more)', { count: matching.length - shown.length })}
        </button>
      )}
      <p class="hint">{t("Drag agents to change their order, or use the arrow buttons (or Alt+Arrow keys on a row).")}</p>
      <div class="sr-only" role="status" aria-live="polite">
        {announce}
      </div>
    </>
  );
}

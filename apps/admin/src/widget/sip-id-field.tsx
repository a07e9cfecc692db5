/**
 * The agent dialog's "SIP-ID" field. Typing searches the user directory by
 * name or SIP-ID (GET /api/directory?q=); a hit is picked with the arrow keys
 * and Enter, or with the mouse, and fills the SIP-ID.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { DirectoryEntry } from '@cw/protocol';
import { api } from '../api.js';
import { FieldMessages } from '../components/fields.js';
import { t } from '../i18n.js';

export function SipIdField(p: { value: string; onValue: (v: string) => void; onPick: (e: DirectoryEntry) => void; error?: string; autofocus?: boolean; taken?: string[] }) {
  const id = useId();
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const [hits, setHits] = useState<DirectoryEntry[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [status, setStatus] = useState('');
  const [query, setQuery] = useState<string | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    if (query === null) return;
    const q = query.trim();
    if (!q) {
      setHits([]);
      setOpen(false);
      setStatus('');
      return;
    }
    const mine = ++seq.current;
    // Wait for a pause in typing before asking the server.
    const timer = setTimeout(() => {
      api
        .directory(q)
        .then((r) => {
          if (mine !== seq.current) return;
          setHits(r.slice(0, 20));
          // Nothing active until the arrow keys move: Enter on a typed SIP-ID submits the dialog.
          setActive(-1);
          setOpen(true);
          setStatus(r.length ? t('Matches in the directory: {count}. Use the arrow keys and Enter to pick one.', { count: r.length }) : t("No match in the directory."));
        })
        .catch(() => {
          if (mine !== seq.current) return;
          setHits([]);
          setOpen(false);
          setStatus(t("The directory search failed."));
        });
    }, 150);
    return () => clearTimeout(timer);
  }, [query]);

  const pick = (e: DirectoryEntry) => {
    seq.current++;
    setOpen(false);
    setHits([]);
    setActive(-1);
    setStatus(t("Picked {name} ({sipId}).", { name: e.name, sipId: e.sipId }));
    p.onPick(e);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!open && hits.length) setOpen(true);
      setActive((a) => Math.min(hits.length - 1, a + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === 'Enter' && open && active >= 0 && hits[active]) {
      e.preventDefault();
      pick(hits[active]!);
    } else if (e.key === 'Escape' && open) {
      // Close the list, not the dialog.
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    }
  };

  const showList = open && hits.length > 0;
  return (
    <div class="field sipid">
      <label for={id}>
        {t("SIP-ID")}
      </label>
      {/* A textbox (not role=combobox) with a suggestion list: it stays a plain
          text field for assistive tech and tests, the list is announced by the status line. */}
      <input
        id={id}
        type="text"
        value={p.value}
        autoComplete="off"
        spellcheck={false}
        required
        data-field="sipId"
        data-autofocus={p.autofocus ? true : undefined}
        aria-autocomplete="list"
        aria-controls={listId}
        aria-activedescendant={showList && active >= 0 ? `${id}-opt-${active}` : undefined}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={[hintId, p.error ? errId : ''].filter(Boolean).join(' ')}
        onInput={(e) => {
          const v = (e.currentTarget as HTMLInputElement).value;
          p.onValue(v);
          setQuery(v);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <ul id={listId} role="listbox" aria-label={t("Directory matches")} class="listbox" hidden={!showList}>
        {hits.map((h, i) => (
          <li
            key={`${h.kind}:${h.id}`}
            id={`${id}-opt-${i}`}
            role="option"
            aria-selected={i === active}
            class={i === active ? 'active' : ''}
            // mousedown, not click: keep focus in the field while picking.
            onMouseDown={(e) => {
              e.preventDefault();
              pick(h);
            }}
            onMouseMove={() => setActive(i)}
          >
            <span class="opt-name">{h.name}</span>
            <span class="opt-meta">
              {h.sipId}
              {h.kind === 'group' ? ' · group' : h.department ? ` · ${h.department}` : ''}
              {p.taken?.includes(h.sipId) ? ' · already on this widget' : ''}
            </span>
          </li>
        ))}
      </ul>
      <FieldMessages hintId={hintId} errId={errId} hint={t("The agent's dialable address. Type a name to search the directory.")} error={p.error} />
      <div class="sr-only" role="status" aria-live="polite">
        {status}
      </div>
    </div>
  );
}

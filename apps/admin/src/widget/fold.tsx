/**
 * A folded section of the widget form (Appearance, Advanced): a heading with
 * a button (aria-expanded) that shows or hides the fields below it. It opens
 * by itself when a field inside gets an error or is to be focused
 * (`revealField`, e.g. from Save or the banner's list), and this browser remembers
 * whether the user left it open or closed (one choice per section, for every
 * widget).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { readStored, writeStored } from '@cw/client-core';

const KEY = 'cw.admin.fold';
const REVEAL = 'cw-fold-reveal';

/**
 * Opens the folded section around `field`, if it is folded. Returns true when it was: the field
 * can take focus once the section has rendered open (next animation frame).
 */
export function revealField(field: Element): boolean {
  const fold = field.closest('[data-fold]');
  const body = fold?.querySelector(':scope > .fold-body');
  if (!fold || !(body instanceof HTMLElement) || !body.hidden) return false;
  fold.dispatchEvent(new Event(REVEAL));
  return true;
}

/** The remembered open sections of this browser. */
function storedOpen(): Record<string, boolean> {
  const v = readStored('localStorage', KEY);
  return v && typeof v === 'object' ? (v as Record<string, boolean>) : {};
}

export interface FoldProps {
  /** Names the remembered state ("appearance", "advanced"). */
  name: string;
  title: string;
  /** What is inside, shown while folded ("Font, colours, …"). */
  summary: string;
  /** Error paths of the form; one that `owns` opens the section. */
  errors: Record<string, string>;
  owns: (path: string) => boolean;
  /** Shown beside the summary while folded (e.g. a contrast warning inside). */
  notice?: string;
  children: ComponentChildren;
}

export function Fold(p: FoldProps) {
  const [open, setOpen] = useState(() => storedOpen()[p.name] === true);
  const bodyId = useId();
  const headId = useId();
  const root = useRef<HTMLElement>(null);
  useEffect(() => {
    const el = root.current;
    const reveal = () => setOpen(true);
    el?.addEventListener(REVEAL, reveal);
    return () => el?.removeEventListener(REVEAL, reveal);
  }, []);
  const mine = Object.keys(p.errors).filter(p.owns).sort().join('\n');
  // A new error inside opens the section (before the form moves focus to the field).
  useLayoutEffect(() => {
    if (mine) setOpen(true);
  }, [mine]);
  const toggle = () => {
    const next = !open;
    setOpen(next);
    writeStored('localStorage', KEY, { ...storedOpen(), [p.name]: next });
  };
  return (
    <section ref={root} class={`section fold ${open ? 'open' : ''}`} aria-labelledby={headId} data-fold={p.name}>
      <h3 class="fold-head">
        <button type="button" id={headId} class="fold-toggle" aria-expanded={open} aria-controls={bodyId} onClick={toggle}>
          <span class="chevron" aria-hidden="true">
            ▸
          </span>
          {p.title}
        </button>
      </h3>
      {!open && (
        <p class="hint fold-summary">
          {p.summary}
          {p.notice && <span class="fold-notice"> {p.notice}</span>}
        </p>
      )}
      <div id={bodyId} class="fold-body" hidden={!open}>
        {p.children}
      </div>
    </section>
  );
}

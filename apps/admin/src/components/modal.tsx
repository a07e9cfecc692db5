/**
 * A modal dialog on the native <dialog> element: labelled by its title,
 * Escape closes it, focus moves in on open and back to the opener on close.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { t } from '../i18n.js';

export interface ModalProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** Buttons at the bottom. */
  footer?: ComponentChildren;
  size?: 'small' | 'medium' | 'large';
  /** A form submit handler: the dialog's body becomes a form. */
  onSubmit?: () => void;
  /** A line under the title that describes the dialog. */
  description?: string;
}

export function Modal(p: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  const onClose = useRef(p.onClose);
  onClose.current = p.onClose;

  useEffect(() => {
    const d = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    if (!d.open) d.showModal();
    const first = d.querySelector<HTMLElement>('[data-autofocus]') ?? d.querySelector<HTMLElement>('input:not([type=hidden]),select,textarea,button');
    first?.focus();
    const cancel = (e: Event) => {
      e.preventDefault();
      onClose.current();
    };
    d.addEventListener('cancel', cancel);
    return () => {
      d.removeEventListener('cancel', cancel);
      if (d.open) d.close();
      if (opener && opener.isConnected) opener.focus();
    };
  }, []);

  const body = (
    <>
      <header class="modal-head">
        <h2 id={titleId}>{p.title}</h2>
        <button type="button" class="icon-btn" aria-label={t("Close dialog")} onClick={() => onClose.current()}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      {p.description && (
        <p id={descId} class="modal-desc">
          {p.description}
        </p>
      )}
      <div class="modal-body">{p.children}</div>
      {p.footer && <footer class="modal-foot">{p.footer}</footer>}
    </>
  );

  return (
    <dialog ref={ref} class={`modal modal-${p.size ?? 'medium'}`} aria-labelledby={titleId} aria-describedby={p.description ? descId : undefined}>
      {p.onSubmit ? (
        <form
          method="dialog"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            p.onSubmit!();
          }}
        >
          {body}
        </form>
      ) : (
        body
      )}
    </dialog>
  );
}

/** The usual footer of a form dialog: Cancel, then the primary submit button (disabled while busy). */
export function ModalButtons(p: { onCancel: () => void; submitLabel: string; busy?: boolean }) {
  return (
    <>
      <button type="button" class="btn" onClick={p.onCancel}>
        {t("Cancel")}
      </button>
      <button type="submit" class="btn btn-primary" disabled={p.busy}>
        {p.submitLabel}
      </button>
    </>
  );
}

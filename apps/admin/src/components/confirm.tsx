/**
 * An in-app confirmation dialog usable from anywhere: `await ask({...})`
 * resolves true when the user confirms. <ConfirmHost/> renders it.
 */
import { useEffect, useState } from 'preact/hooks';
import { Modal } from './modal.js';
import { t } from '../i18n.js';

export interface AskOptions {
  title: string;
  message: string;
  confirmLabel: string;
  cancelLabel?: string;
  danger?: boolean;
}

type Pending = AskOptions & { resolve: (ok: boolean) => void };
let show: ((p: Pending | null) => void) | null = null;
let pending: Pending | null = null;

/** Shows a confirmation dialog; resolves with the user's choice. */
export function ask(o: AskOptions): Promise<boolean> {
  return new Promise((resolve) => {
    // Only one question at a time: a new one answers the old one with "no".
    pending?.resolve(false);
    pending = { ...o, resolve };
    if (show) show(pending);
    else resolve(window.confirm(`${o.title}\n\n${o.message}`));
  });
}

export function ConfirmHost() {
  const [p, setP] = useState<Pending | null>(null);
  useEffect(() => {
    show = setP;
    return () => {
      show = null;
    };
  }, []);
  if (!p) return null;
  const answer = (ok: boolean) => {
    pending = null;
    setP(null);
    p.resolve(ok);
  };
  return (
    <Modal
      title={p.title}
      size="small"
      onClose={() => answer(false)}
      footer={
        <>
          <button type="button" class="btn" onClick={() => answer(false)} data-autofocus>
            {p.cancelLabel ?? t('Cancel')}
          </button>
          <button type="button" class={`btn ${p.danger ? 'btn-danger' : 'btn-primary'}`} onClick={() => answer(true)}>
            {p.confirmLabel}
          </button>
        </>
      }
    >
      <p>{p.message}</p>
    </Modal>
  );
}

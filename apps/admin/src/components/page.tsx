/** Pieces every admin page shares: its heading with an "Add …" button, and its error handling. */
import { ApiError } from '../api.js';

/** The page heading; with `addLabel`, a primary "+ Add …" button beside it. */
export function PageHead(p: { title: string; addLabel?: string; onAdd?: () => void }) {
  return (
    <div class="page-head">
      <h1>{p.title}</h1>
      {p.addLabel && (
        <div class="actions">
          <button type="button" class="btn btn-primary" onClick={p.onAdd}>
            <span aria-hidden="true">+ </span>
            {p.addLabel}
          </button>
        </div>
      )}
    </div>
  );
}

/** A page's catch handler: a 401 (session ended) goes to `onUnauthorized`, anything else is shown by `show`. */
export function failHandler(onUnauthorized: () => void, show: (message: string) => void): (e: unknown) => void {
  return (e) => {
    if (e instanceof ApiError && e.status === 401) return onUnauthorized();
    show(e instanceof Error ? e.message : String(e));
  };
}

/** Pieces every admin page shares: its heading with an "Add …" button, its tables, and its error handling. */
import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.js';
import { t } from '../i18n.js';

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

/**
 * A data table: a caption for screen readers, one column header per name, a last unnamed-on-screen "Actions"
 * column, and the rows (each `<tr>` with a `<th scope="row">` first) as children.
 */
export function DataTable(p: { caption: string; columns: string[]; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table class="table">
        <caption class="sr-only">{p.caption}</caption>
        <thead>
          <tr>
            {p.columns.map((c) => (
              <th scope="col">{c}</th>
            ))}
            <th scope="col">
              <span class="sr-only">{t('Actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>{p.children}</tbody>
      </table>
    </div>
  );
}

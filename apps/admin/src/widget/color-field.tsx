/**
 * A colour: a picker (input type=color) and a text field for any CSS colour.
 * Empty means "inherit the website's colour", and the field says so.
 */
import { useId } from 'preact/hooks';
import { FieldMessages } from '../components/fields.js';
import { t } from '../i18n.js';

/** The picker needs #rrggbb; expand #rgb and fall back for named colours. */
export function pickerValue(v: string): string {
  const t = v.trim();
  if (/^#[0-9a-f]{6}$/i.test(t)) return t.toLowerCase();
  if (/^#[0-9a-f]{3}$/i.test(t)) return `#${t[1]}${t[1]}${t[2]}${t[2]}${t[3]}${t[3]}`.toLowerCase();
  if (/^#[0-9a-f]{8}$/i.test(t)) return t.slice(0, 7).toLowerCase();
  return '#808080';
}

export function ColorField(p: { label: string; value: string; onValue: (v: string) => void; error?: string; warning?: string; field: string; onBlur?: () => void }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const warnId = `${id}-warn`;
  const empty = p.value.trim() === '';
  return (
    <div class={`field color-field ${empty ? 'inherit' : ''}`}>
      <label for={id}>{p.label}</label>
      <div class="color-row">
        <input type="color" class="swatch" value={pickerValue(p.value)} aria-label={t('{field} picker', { field: p.label })} onInput={(e) => p.onValue((e.currentTarget as HTMLInputElement).value)} />
        <input
          id={id}
          type="text"
          value={p.value}
          placeholder={t("inherit")}
          spellcheck={false}
          data-field={p.field}
          aria-invalid={p.error ? true : undefined}
          aria-describedby={[empty ? hintId : '', p.error ? errId : '', p.warning && !p.error ? warnId : ''].filter(Boolean).join(' ') || undefined}
          onInput={(e) => p.onValue((e.currentTarget as HTMLInputElement).value)}
          onBlur={p.onBlur}
        />
        {!empty && (
          <button type="button" class="icon-btn" onClick={() => p.onValue('')} aria-label={t('Clear {field}', { field: p.label })} title={t("Inherit the website’s colour")}>
            <span aria-hidden="true">×</span>
          </button>
        )}
      </div>
      <FieldMessages hintId={hintId} errId={errId} hint={empty ? t("Empty: inherits the website’s colour.") : undefined} error={p.error} />
      {p.warning && !p.error && (
        <div id={warnId} class="field-warning">
          {p.warning}
        </div>
      )}
    </div>
  );
}

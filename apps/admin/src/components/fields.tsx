/** Labelled form controls that show a hint and an error message at the field. */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

interface Common {
  label: string;
  hint?: ComponentChildren;
  error?: string;
  /** Error key: lets a server error find and focus this field. */
  field?: string;
  class?: string;
}

function describedBy(hintId: string, errId: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? hintId : '', error ? errId : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

export function FieldMessages(p: { hintId: string; errId: string; hint?: ComponentChildren; error?: string }) {
  return (
    <>
      {p.hint && (
        <div id={p.hintId} class="hint">
          {p.hint}
        </div>
      )}
      {p.error && (
        <div id={p.errId} class="field-error">
          {p.error}
        </div>
      )}
    </>
  );
}

export interface TextFieldProps extends Common {
  value: string;
  onValue: (v: string) => void;
  type?: 'text' | 'email' | 'tel' | 'url' | 'password' | 'number' | 'search';
  placeholder?: string;
  autoComplete?: string;
  required?: boolean;
  multiline?: boolean;
  rows?: number;
  inputMode?: string;
  spellcheck?: boolean;
  min?: number;
  max?: number;
  autofocus?: boolean;
  /** Longest value (code points, as the server counts): the field stops there and shows a counter. */
  maxLength?: number;
  onBlur?: () => void;
  inputRef?: { current: HTMLInputElement | HTMLTextAreaElement | null };
}

export function TextField(p: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const countId = `${id}-count`;
  const used = p.maxLength !== undefined ? [...p.value].length : 0;
  const described = [describedBy(hintId, errId, p.hint, p.error), p.maxLength !== undefined && used >= p.maxLength * 0.9 ? countId : ''].filter(Boolean).join(' ') || undefined;
  const shared = {
    id,
    maxLength: p.maxLength,
    value: p.value,
    placeholder: p.placeholder,
    required: p.required,
    'aria-invalid': p.error ? true : undefined,
    'aria-describedby': described,
    'data-field': p.field,
    'data-autofocus': p.autofocus ? true : undefined,
    spellcheck: p.spellcheck,
    onInput: (e: Event) => p.onValue((e.currentTarget as HTMLInputElement).value),
    onBlur: p.onBlur,
  };
  return (
    <div class={`field ${p.class ?? ''}`}>
      <label for={id}>
        {p.label}
      </label>
      {p.multiline ? (
        <textarea {...shared} rows={p.rows ?? 3} ref={p.inputRef as { current: HTMLTextAreaElement | null }} />
      ) : (
        <input
          {...shared}
          type={p.type ?? 'text'}
          autoComplete={p.autoComplete}
          inputMode={p.inputMode as never}
          min={p.min}
          max={p.max}
          ref={p.inputRef as { current: HTMLInputElement | null }}
        />
      )}
      {p.maxLength !== undefined && (
        <div id={countId} class={`counter ${used >= p.maxLength ? 'full' : ''}`}>
          {used} / {p.maxLength}
        </div>
      )}
      <FieldMessages hintId={hintId} errId={errId} hint={p.hint} error={p.error} />
    </div>
  );
}

export interface SelectFieldProps<T extends string> extends Common {
  value: T;
  onValue: (v: T) => void;
  options: { value: T; label: string }[];
}

export function SelectField<T extends string>(p: SelectFieldProps<T>) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  return (
    <div class={`field ${p.class ?? ''}`}>
      <label for={id}>{p.label}</label>
      <select
        id={id}
        value={p.value}
        data-field={p.field}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={describedBy(hintId, errId, p.hint, p.error)}
        onChange={(e) => p.onValue((e.currentTarget as HTMLSelectElement).value as T)}
      >
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldMessages hintId={hintId} errId={errId} hint={p.hint} error={p.error} />
    </div>
  );
}

export function CheckField(p: Common & { checked: boolean; onChecked: (v: boolean) => void }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  return (
    <div class={`check ${p.class ?? ''}`}>
      <input
        type="checkbox"
        id={id}
        checked={p.checked}
        data-field={p.field}
        aria-describedby={describedBy(hintId, errId, p.hint, p.error)}
        onChange={(e) => p.onChecked((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id}>{p.label}</label>
      <FieldMessages hintId={hintId} errId={errId} hint={p.hint} error={p.error} />
    </div>
  );
}

/** A banner for errors that belong to no single field. */
export function ErrorBanner(p: { message?: string | null }) {
  if (!p.message) return null;
  return (
    <div class="banner banner-error" role="alert">
      {p.message}
    </div>
  );
}

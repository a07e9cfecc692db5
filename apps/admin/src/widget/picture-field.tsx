/**
 * An agent's picture: drop a file on the placeholder or click it to choose
 * one. Shows the picture cropped round and square, as the widget shows it.
 */
import { useId, useRef, useState } from 'preact/hooks';
import { pictureFromFile, PictureError } from './picture.js';
import { t } from '../i18n.js';

export function PictureField(p: { value: string; onValue: (v: string) => void; error?: string; type: 'sidebar' | 'cards' }) {
  const id = useId();
  const file = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);

  const take = async (f: File | undefined | null) => {
    if (!f) return;
    setBusy(true);
    setErr(null);
    try {
      p.onValue(await pictureFromFile(f));
    } catch (e) {
      setErr(e instanceof PictureError ? e.message : t("The picture could not be used."));
    } finally {
      setBusy(false);
    }
  };

  const error = err ?? p.error;
  return (
    <div class="field picture-field" role="group" aria-labelledby={`${id}-label`}>
      <span id={`${id}-label`} class="label">
        {t("Picture")}
      </span>
      <div class="picture-row">
        <button
          type="button"
          class={`dropzone ${over ? 'over' : ''}`}
          data-field="picture"
          aria-describedby={`${id}-hint${error ? ` ${id}-err` : ''}`}
          onClick={() => file.current?.click()}
          onDragEnter={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragOver={(e) => {
            e.preventDefault();
            if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            void take(e.dataTransfer?.files?.[0]);
          }}
        >
          {p.value ? (
            <span class="crops" aria-hidden="true">
              <span class="crop">
                <img class={`crop-img ${p.type === 'sidebar' ? 'round' : 'square'}`} src={p.value} alt="" />
                <span class="crop-cap">{p.type === 'sidebar' ? t("As in the sidebar") : t("As on a card")}</span>
              </span>
              <span class="crop">
                <img class={`crop-img ${p.type === 'sidebar' ? 'square' : 'round'}`} src={p.value} alt="" />
                <span class="crop-cap">{p.type === 'sidebar' ? t('Square') : t('Round')}</span>
              </span>
            </span>
          ) : (
            <span class="drop-text" aria-hidden="true">
              {t("Drop a picture here")}
              <br />
              {t("or click to choose one")}
            </span>
          )}
          <span class="sr-only">{p.value ? t("Change picture") : t("Choose picture")}</span>
        </button>
        {p.value && (
          <button type="button" class="btn btn-small" onClick={() => p.onValue('')}>
            {t("Remove picture")}
          </button>
        )}
      </div>
      <input
        ref={file}
        type="file"
        accept="image/png,image/jpeg,image/webp,image/gif"
        class="sr-only"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          const input = e.currentTarget as HTMLInputElement;
          void take(input.files?.[0]).then(() => (input.value = ''));
        }}
      />
      <div id={`${id}-hint`} class="hint">
        {busy ? t("Reading the picture…") : t("PNG, JPEG, WebP or GIF. It is cropped to fill the frame, as shown.")}
      </div>
      {error && (
        <div id={`${id}-err`} class="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

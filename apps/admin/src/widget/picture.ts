/**
 * Reads a picture file into a data: URL the API accepts (PNG, JPEG, WebP or
 * GIF under 2 MiB). Large pictures are scaled down in the browser first; the
 * server re-encodes them anyway.
 */
import { t } from '../i18n.js';
const TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
const MAX_BYTES = 2 * 1024 * 1024;
/** Pictures show small; more pixels than this only cost bandwidth. */
const MAX_SIDE = 512;

export class PictureError extends Error {}

function readAsDataUrl(f: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(new PictureError(t("The file could not be read.")));
    r.readAsDataURL(f);
  });
}

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new PictureError(t("The file is not a picture the browser can show.")));
    img.src = url;
  });
}

/** Turns a dropped or chosen file into a data: URL, or throws PictureError with a reason. */
export async function pictureFromFile(f: File): Promise<string> {
  if (f.type === 'image/svg+xml') throw new PictureError(t("SVG pictures are not accepted. Use PNG, JPEG, WebP or GIF."));
  if (!TYPES.includes(f.type)) throw new PictureError(t("Use a PNG, JPEG, WebP or GIF picture."));
  const url = await readAsDataUrl(f);
  const img = await loadImage(url);
  const big = Math.max(img.naturalWidth, img.naturalHeight);
  if (big <= MAX_SIDE && f.size <= MAX_BYTES / 2) return url;
  if (f.type === 'image/gif' && f.size <= MAX_BYTES) return url; // keep animation
  const scale = Math.min(1, MAX_SIDE / big);
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.round(img.naturalWidth * scale));
  c.height = Math.max(1, Math.round(img.naturalHeight * scale));
  const ctx = c.getContext('2d');
  if (!ctx) throw new PictureError(t("The picture could not be scaled down."));
  ctx.drawImage(img, 0, 0, c.width, c.height);
  const out = f.type === 'image/png' ? c.toDataURL('image/png') : c.toDataURL('image/jpeg', 0.88);
  if (out.length > (MAX_BYTES * 4) / 3) throw new PictureError(t("The picture is too large even when scaled down."));
  return out;
}

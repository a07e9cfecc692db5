/**
 * Agent pictures: accepts only data:image/(jpeg|png|webp|gif);base64 under
 * 2 MiB decoded (the bytes must really be one of those formats — SVG and
 * everything else is refused before an image decoder sees it), then
 * re-encodes with sharp: rotate per EXIF, cover-crop to 256×256, JPEG q80,
 * metadata dropped. A picture that is already our output (small JPEG,
 * ≤256 px, no EXIF) is kept byte for byte, so saving a widget again neither
 * grows nor degrades it.
 */
import sharp from 'sharp';
import { MAX_PICTURE_BYTES } from '@cw/protocol';

export const PICTURE_SIZE = 256;
/** Small JPEGs at most this big are kept as they are. */
const KEEP_MAX_BYTES = 64 * 1024;

/** Why a picture was refused; the message is shown to the admin. */
export class InvalidPictureError extends Error {
  override name = 'InvalidPictureError';
}

type Format = 'jpeg' | 'png' | 'webp' | 'gif';

/** Detects the real format from the first bytes. */
export function sniffFormat(b: Buffer): Format | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.subarray(0, 6).toString('latin1'))) return 'gif';
  if (b.length >= 12 && b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return undefined;
}

const HEADER_RE = /^data:image\/(jpeg|png|webp|gif);base64,/;
const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Returns the picture to store: "" stays "", anything else becomes a small JPEG data: URL. Throws InvalidPictureError. */
export async function normalizePicture(url: string): Promise<string> {
  if (url === '') return '';
  if (/^data:image\/svg/i.test(url)) throw new InvalidPictureError('SVG pictures are not accepted; use JPEG, PNG, WebP or GIF');
  const m = HEADER_RE.exec(url);
  if (!m) throw new InvalidPictureError('must be a data:image/(jpeg|png|webp|gif);base64 URL or empty');
  const b64 = url.slice(m[0].length);
  if (b64.length % 4 === 1 || !B64_RE.test(b64)) throw new InvalidPictureError('is not valid base64');
  // 4 base64 characters carry 3 bytes: refuse before decoding anything huge.
  if (Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0) > MAX_PICTURE_BYTES)
    throw new InvalidPictureError(`must be at most ${MAX_PICTURE_BYTES / 1024 / 1024} MiB`);
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length === 0) throw new InvalidPictureError('is empty');
  if (bytes.length > MAX_PICTURE_BYTES) throw new InvalidPictureError(`must be at most ${MAX_PICTURE_BYTES / 1024 / 1024} MiB`);
  const format = sniffFormat(bytes);
  if (!format) throw new InvalidPictureError('is not a JPEG, PNG, WebP or GIF image');

  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: 40_000_000, failOn: 'error' }).metadata();
  } catch {
    throw new InvalidPictureError('could not be read as an image (corrupt data?)');
  }
  if (meta.format !== format || !meta.width || !meta.height) throw new InvalidPictureError('could not be read as an image (corrupt data?)');

  if (format === 'jpeg' && meta.width <= PICTURE_SIZE && meta.height <= PICTURE_SIZE && bytes.length <= KEEP_MAX_BYTES && !meta.exif && (meta.orientation ?? 1) === 1)
    return `data:image/jpeg;base64,${bytes.toString('base64')}`;

  try {
    const out = await sharp(bytes, { limitInputPixels: 40_000_000, failOn: 'error' })
      .rotate()
      .resize(PICTURE_SIZE, PICTURE_SIZE, { fit: 'cover', position: 'attention' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80, mozjpeg: true })
      .toBuffer();
    return `data:image/jpeg;base64,${out.toString('base64')}`;
  } catch {
    throw new InvalidPictureError('could not be read as an image (corrupt data?)');
  }
}

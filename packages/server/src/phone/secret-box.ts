/**
 * Encrypts secrets the server must be able to read back (the phone-system
 * password: digest authentication needs it in clear) before they go into the
 * database: AES-256-GCM with a key that is not in the database — SECRETS_KEY,
 * or a key file created in DATA_DIR on first use. A database dump or backup
 * alone does not reveal the password. Several processes (cluster mode) need
 * the same SECRETS_KEY.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class SecretBox {
  #key?: Buffer;

  constructor(private readonly opts: { key?: string; dataDir: string }) {}

  seal(plain: string): string {
    if (plain === '') return '';
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', this.#keyBytes(), iv);
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `v1:${iv.toString('base64')}:${c.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
  }

  /** The plain text; throws when the key does not fit (it changed, or the file was lost). */
  open(sealed: string): string {
    if (sealed === '') return '';
    const [v, iv, tag, ct] = sealed.split(':');
    if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a sealed secret');
    const d = crypto.createDecipheriv('aes-256-gcm', this.#keyBytes(), Buffer.from(iv, 'base64'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
  }

  #keyBytes(): Buffer {
    if (this.#key) return this.#key;
    if (this.opts.key) {
      const k = /^[0-9a-f]{64}$/i.test(this.opts.key) ? Buffer.from(this.opts.key, 'hex') : Buffer.from(this.opts.key, 'base64');
      if (k.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes, as 64 hex digits or base64');
      return (this.#key = k);
    }
    const file = path.join(this.opts.dataDir, 'secrets.key');
    try {
      this.#key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    } catch {
      fs.mkdirSync(this.opts.dataDir, { recursive: true });
      const k = crypto.randomBytes(32);
      // wx: two processes starting at once must not overwrite each other's key.
      try {
        fs.writeFileSync(file, k.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
        this.#key = k;
      } catch {
        this.#key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
      }
    }
    if (this.#key.length !== 32) throw new Error(`${file} does not hold a 32-byte key`);
    return this.#key;
  }
}

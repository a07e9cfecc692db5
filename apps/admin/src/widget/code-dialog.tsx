/**
 * The "Code" popup: the embed lines to paste into a website, Copy and
 * Download (a small test page), and the Content-Security-Policy entries a
 * website with a CSP needs.
 */
import { useEffect, useId, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { Modal } from '../components/modal.js';
import { t, tx } from '../i18n.js';

/** The server's origin as the embed code names it (falls back to ours). */
export function scriptOrigin(html: string, fallback: string): string {
  const m = /<script[^>]*\ssrc\s*=\s*["']([^"']+)["']/i.exec(html);
  if (m) {
    try {
      return new URL(m[1]!, fallback).origin;
    } catch {
      /* use the fallback */
    }
  }
  return fallback;
}

/** The CSP entries a website needs to run the widget. */
export function cspLines(origin: string): string {
  const u = new URL(origin);
  const socketOrigin = `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}`;
  return [`connect-src ${socketOrigin}`, `script-src ${u.origin}`, 'img-src data:', 'media-src blob:'].join('\n');
}

function fileName(name: string): string {
  const base = name.trim().replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || 'widget';
  return `${base}.html`;
}

async function copyText(text: string, fallbackEl: HTMLTextAreaElement | null): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API refused (permissions, old browser): fall back to a selection copy.
    if (!fallbackEl) throw new Error('copy failed');
    fallbackEl.select();
    if (!document.execCommand('copy')) throw new Error('copy failed');
  }
}

export function CodeDialog(p: { uuid: string; name: string; unsaved: boolean; onClose: () => void }) {
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [feedback, setFeedback] = useState('');
  const [busy, setBusy] = useState(false);
  const codeId = useId();
  const cspId = useId();

  useEffect(() => {
    api
      .embed(p.uuid)
      .then((r) => setHtml(r.html))
      .catch((e) => setError(e instanceof ApiError ? e.message : t("The code could not be loaded.")));
  }, [p.uuid]);

  const copy = async () => {
    if (html === null) return;
    try {
      await copyText(html, document.getElementById(codeId) as HTMLTextAreaElement | null);
      setFeedback('Copied');
    } catch {
      setFeedback(t("Copying failed. Select the code and copy it by hand."));
    }
  };

  const download = async () => {
    setBusy(true);
    setFeedback('');
    try {
      const res = await fetch(`/api/widgets/${encodeURIComponent(p.uuid)}/preview.html`, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const blob = await res.blob();
      const url = URL.createObjectURL(new Blob([blob], { type: 'text/html' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName(p.name);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setFeedback('Downloaded');
    } catch {
      setFeedback(t("The test page could not be downloaded."));
    } finally {
      setBusy(false);
    }
  };

  const origin = html ? scriptOrigin(html, location.origin) : location.origin;
  return (
    <Modal
      title={p.name ? t('Code for {name}', { name: p.name }) : t('Code for this widget')}
      size="large"
      onClose={p.onClose}
      footer={
        <>
          <span class="feedback" role="status" aria-live="polite">
            {feedback}
          </span>
          <button type="button" class="btn" onClick={download} disabled={busy || html === null}>
            {t("Download")}
          </button>
          <button type="button" class="btn btn-primary" onClick={copy} disabled={html === null} data-autofocus>
            {t("Copy")}
          </button>
        </>
      }
    >
      <p>{t("Paste these lines into your website’s HTML, just before </body>. The widget then updates by itself whenever you save here.")}</p>
      {p.unsaved && (
        <p class="banner banner-warn">{t("This widget has unsaved changes. Websites show them once you save.")}</p>
      )}
      {html !== null && <AddressWarnings origin={origin} />}
      {error && (
        <p class="banner banner-error" role="alert">
          {error}
        </p>
      )}
      {/* No field until the code is there: "Embed code" never holds a placeholder (a reader or a test reading it at once gets the code). */}
      {html === null ? (
        !error && (
          <p class="loading" role="status">
            {t("Loading the code…")}
          </p>
        )
      ) : (
        <>
          <label for={codeId} class="label">
            {t("Embed code")}
          </label>
          {/* The code as the textarea's content (not only its value), so it reads the same as text and as value. */}
          <textarea id={codeId} class="code" readOnly rows={6} spellcheck={false} onFocus={(e) => (e.currentTarget as HTMLTextAreaElement).select()}>
            {html}
          </textarea>
        </>
      )}
      <p class="hint">{t("Download saves a small HTML page with the widget, to try it out in a browser.")}</p>
      <label for={cspId} class="label">
        {t("Content-Security-Policy entries")}
      </label>
      <textarea id={cspId} class="code" readOnly rows={4} spellcheck={false} value={cspLines(origin)} />
      <p class="hint">{t("Only needed if your website sends a Content-Security-Policy: add these sources to the matching directives.")}</p>
    </Modal>
  );
}

/** True for localhost, *.localhost, IPv4/IPv6 literals and single-label names: addresses other computers cannot use. */
export function localAddress(origin: string): 'localhost' | 'ip' | null {
  let host: string;
  try {
    host = new URL(origin).hostname.toLowerCase();
  } catch {
    return null;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return 'localhost';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[')) return 'ip';
  return null;
}

/** Issue 15: say when the embed address will not work on a real website, and what calls need. */
function AddressWarnings({ origin }: { origin: string }) {
  const local = localAddress(origin);
  const http = origin.startsWith('http:');
  if (!local && !http) return null;
  return (
    <div class="banner banner-warn">
      {local && (
        <p>
          {tx('The code loads the widget from {origin}{where}. Set {setting} to the server’s public address (for example {example}) and restart it before you paste the code into a real website.', {
            origin: <code>{origin}</code>,
            where: t(local === 'localhost' ? ', which only this computer can reach' : ', an IP address that visitors’ browsers may not reach and no certificate covers'),
            setting: <code>PUBLIC_URL</code>,
            example: <code>https://contact.example.com</code>,
          })}
        </p>
      )}
      {http && <p>{tx('Calls from a website on https need this server on https too (browsers block microphone and camera otherwise): put it behind a TLS proxy and set {setting} to its https address.', { setting: <code>PUBLIC_URL</code> })}</p>}
    </div>
  );
}

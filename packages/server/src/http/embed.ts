/** The embed code and the downloadable preview page of a widget. */
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { requestOrigin } from './guard.js';

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The server's public base URL: PUBLIC_URL, else from the request. */
export function baseUrl(req: FastifyRequest, config: Config): string {
  return config.publicUrl ?? requestOrigin(req);
}

/** The agreed embed lines (the widget implements exactly this). */
export function embedHtml(base: string, uuid: string): string {
  const b = escapeHtml(base);
  return `<script src="${b}/widget.js" async></script>\n<contact-widget uuid="${escapeHtml(uuid)}" server="${b}"></contact-widget>`;
}

/** A small standalone page showing the widget, for download. */
export function previewPage(name: string, base: string, uuid: string): string {
  const n = escapeHtml(name);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${n}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}code{background:#f3f3f3;padding:.1em .3em}</style>
</head>
<body>
<h1>${n}</h1>
<p>This page shows the contact widget <strong>${n}</strong> as visitors of your website will see it.
To put it on your website, paste the two lines of embed code from the admin app into your page.</p>
${embedHtml(base, uuid)}
</body>
</html>
`;
}

/** Content-Disposition for the preview download, with an ASCII fallback and the UTF-8 name. */
export function previewDisposition(name: string): string {
  const ascii = name.normalize('NFKD').replace(/[^\w\s-]/g, '').trim().replace(/\s+/g, '-').toLowerCase().slice(0, 60) || 'widget';
  const utf8 = encodeURIComponent(`${name.replace(/[\\/:*?"<>|\x00-\x1f]/g, '').trim().slice(0, 100) || 'widget'}.html`).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}.html"; filename*=UTF-8''${utf8}`;
}

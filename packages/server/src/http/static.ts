/**
 * The built browser bundles: /widget.js and /widget/* (lazy chunks) for any
 * website (CORS *), /admin and /agent as single-page apps with strict security
 * headers. A missing dist folder answers 503 with a hint instead of crashing,
 * and is looked up per request so a later `npm run build` needs no restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The rest of the path under a `/*` route. */
type Wildcard = { '*': string };

export interface StaticRoots {
  widget: string;
  admin: string;
  agent: string;
}

/** Where `npm run build` puts the bundles, relative to the repository. */
export function defaultRoots(): StaticRoots {
  // The repository is found from this file upwards: it runs as src/http/static.ts (tsx, tests) and bundled in dist/main.js.
  let repo = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(repo, 'packages', 'widget')) && path.dirname(repo) !== repo) repo = path.dirname(repo);
  return {
    widget: path.join(repo, 'packages/widget/dist'),
    admin: path.join(repo, 'apps/admin/dist'),
    agent: path.join(repo, 'apps/agent-console/dist'),
  };
}

/** The CSP of the admin app and agent console. */
export const APP_CSP =
  "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; " +
  "style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
};

/** Resolves `rel` inside `root`, or undefined when it would leave it. */
function inside(root: string, rel: string): string | undefined {
  if (rel.includes('\0')) return undefined;
  const full = path.resolve(root, `./${rel}`);
  return full === root || full.startsWith(root + path.sep) ? full : undefined;
}

interface ServeOpts {
  cacheControl: string;
  headers?: Record<string, string>;
}

/** Sends a file with an ETag (304 on a match); false when there is no such file. */
async function sendFile(req: FastifyRequest, reply: FastifyReply, file: string, o: ServeOpts): Promise<boolean> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch {
    return false;
  }
  if (!st.isFile()) return false;
  const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  reply.header('etag', etag).header('cache-control', o.cacheControl);
  for (const [k, v] of Object.entries(o.headers ?? {})) reply.header(k, v);
  reply.type(TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === etag)) {
    reply.code(304).send();
    return true;
  }
  reply.send(await fs.promises.readFile(file));
  return true;
}

function notBuilt(reply: FastifyReply, what: string): FastifyReply {
  return reply
    .code(503)
    .type('text/plain; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(`${what} is not built yet. Run \`npm run build\` in the project folder, then reload.\n`);
}

function missing(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('text/plain; charset=utf-8').send('Not found.\n');
}

const WIDGET_HEADERS = { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' };
const APP_HEADERS = { 'content-security-policy': APP_CSP, 'x-frame-options': 'DENY' };

/** Registers the static routes. */
export async function staticRoutes(app: FastifyInstance, opts: { roots?: StaticRoots } = {}): Promise<void> {
  const roots = opts.roots ?? defaultRoots();
  const widgetCache = 'public, max-age=300, must-revalidate';

  const widgetFile = async (req: FastifyRequest, reply: FastifyReply, rel: string) => {
    if (!fs.existsSync(roots.widget)) return notBuilt(reply.headers(WIDGET_HEADERS), 'The widget');
    const file = inside(roots.widget, rel);
    if (!file || !(await sendFile(req, reply, file, { cacheControl: widgetCache, headers: WIDGET_HEADERS }))) return missing(reply.headers(WIDGET_HEADERS));
    return reply;
  };
  app.get('/widget.js', (req, reply) => widgetFile(req, reply, 'widget.js'));
  app.get<{ Params: Wildcard }>('/widget/*', (req, reply) => widgetFile(req, reply, req.params['*']));

  const spa = (prefix: '/admin' | '/agent', root: string, what: string) => {
    // The apps live under a folder path; /admin without the slash would break relative asset URLs.
    app.get(prefix, (req, reply) => {
      const q = req.url.indexOf('?');
      return reply.redirect(`${prefix}/${q >= 0 ? req.url.slice(q) : ''}`, 302);
    });
    app.get<{ Params: Wildcard }>(`${prefix}/*`, async (req, reply) => {
      reply.headers(APP_HEADERS);
      if (!fs.existsSync(root)) return notBuilt(reply, what);
      const rel = req.params['*'] || 'index.html';
      const file = inside(root, rel);
      if (!file) return missing(reply);
      const isHtml = file.endsWith('.html');
      if (await sendFile(req, reply, file, { cacheControl: isHtml ? 'no-cache' : 'public, max-age=300, must-revalidate' })) return reply;
      // Client-side routes (no file extension) get the app; a missing asset stays a 404.
      if (path.extname(rel) && !isHtml) return missing(reply);
      if (await sendFile(req, reply, path.join(root, 'index.html'), { cacheControl: 'no-cache' })) return reply;
      return notBuilt(reply, what);
    });
  };
  spa('/admin', roots.admin, 'The admin app');
  spa('/agent', roots.agent, 'The agent console');

  app.get('/', (_req, reply) => reply.redirect('/admin', 302));

  // Browsers ask for /favicon.ico on every app page; answer with the product's icon, not a 404.
  const icon = (_req: FastifyRequest, reply: FastifyReply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON_SVG);
  app.get('/favicon.ico', icon);
  app.get('/favicon.svg', icon);
}

/** A speech bubble in the product's green. */
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#0a7d5c" d="M6 4h20a4 4 0 0 1 4 4v12a4 4 0 0 1-4 4H14l-7 6v-6H6a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4z"/><circle cx="10" cy="14" r="2" fill="#fff"/><circle cx="16" cy="14" r="2" fill="#fff"/><circle cx="22" cy="14" r="2" fill="#fff"/></svg>';

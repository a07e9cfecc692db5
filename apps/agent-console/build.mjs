// Builds the agent console into apps/agent-console/dist/: index.html, app.js,
// app.css. The server serves dist/ at /agent with a strict CSP (no inline
// scripts), so index.html only references /agent/app.js and /agent/app.css.
import path from 'node:path';
import { buildApp } from '../../scripts/build-app.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);

/** Bundles the agent console; with watch, keeps rebuilding on change. */
export async function build({ watch = false } = {}) {
  // splitting: each language's catalogue (packages/i18n/locales/console/<lang>.json) is a chunk loaded on demand.
  return buildApp({ appDir: here, htmlName: 'console-html', watch, splitting: true });
}

if (import.meta.url === `file://${process.argv[1]}`) await build({ watch: process.argv.includes('--watch') });

// Builds the admin app into apps/admin/dist/: index.html, app.js, app.css.
// The server serves dist/ at /admin with SPA fallback and a strict CSP, so the
// page has no inline scripts: everything is in app.js.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { buildApp } from '../../scripts/build-app.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(import.meta.url);

/**
 * The live preview renders the real widget through `@cw/widget/preview`.
 * Until the widget package provides it, fall back to a simple stand-in so the
 * admin app still builds and works.
 */
const previewPlugin = {
  name: 'widget-preview',
  setup(b) {
    b.onResolve({ filter: /^@cw\/widget\/preview$/ }, (args) => {
      try {
        return { path: require.resolve('@cw/widget/preview', { paths: [args.resolveDir] }) };
      } catch {
        const widgetSrc = path.resolve(here, '../../packages/widget/src/preview.ts');
        if (fs.existsSync(widgetSrc)) return { path: widgetSrc };
        return { path: path.join(here, 'src/preview/fallback.tsx') };
      }
    });
  },
};

/** Bundles the admin app; with watch, keeps rebuilding on change. */
export async function build({ watch = false } = {}) {
  // splitting: uPlot (the statistics charts) is a chunk loaded on first use, not part of app.js.
  return buildApp({ appDir: here, htmlName: 'admin-html', plugins: [previewPlugin], watch, splitting: true });
}

if (import.meta.url === `file://${process.argv[1]}`) await build({ watch: process.argv.includes('--watch') });

// The weight budget (STYLE habit 10): what a visitor loads before interacting
// (dist/widget.js) must stay at or under 24 KiB gzipped.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import zlib from 'node:zlib';
// @ts-expect-error plain ESM build script without types
import { build } from '../build.mjs';
import { LANGUAGES } from '@cw/i18n';
import { widgetStrings } from '@cw/i18n/widget';

const BUDGET = 24 * 1024;

describe('widget size budget', () => {
  it('widget.js is at most 24 KiB gzipped and defines no globals at top level', async () => {
    // A fresh build into a temp dir: measures the sources as they are, and never disturbs dist/ in use.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-widget-size-'));
    await build({ watch: false, outdir: out });
    const file = path.join(out, 'widget.js');
    const js = fs.readFileSync(file);
    const gz = zlib.gzipSync(js, { level: 9 }).length;
    console.log(`widget.js: ${js.length} bytes, ${gz} bytes gzipped (budget ${BUDGET})`);
    expect(gz).toBeLessThanOrEqual(BUDGET);
    // Only English is built in; any other language is its Session.strings table. Loader + that table stays in budget too.
    for (const lang of LANGUAGES) {
      const table = zlib.gzipSync(Buffer.from(JSON.stringify(widgetStrings(lang))), { level: 9 }).length;
      expect(gz + table, `widget.js + ${lang} strings`).toBeLessThanOrEqual(BUDGET);
    }
    // No other language's catalogue is in the loader (a word from each, not in English).
    for (const word of ['Kontakt', 'Conversar com', 'تواصل معنا', 'צרו קשר', 'Czat z']) expect(js.toString()).not.toContain(word);
    // The chat/call code is a separate chunk loaded on first use; it reuses widget.js's Preact, so it stays small.
    const chunk = fs.readFileSync(path.join(out, 'conversation.js'));
    expect(zlib.gzipSync(chunk, { level: 9 }).length).toBeLessThan(8 * 1024);
    expect(chunk.toString()).toMatch(/export\s*\{/);
    // An IIFE: everything lives inside one function scope.
    expect(js.toString().trim()).toMatch(/^("use strict";)?\(\(\)=>\{[\s\S]*\}\)\(\);$/);
    fs.rmSync(out, { recursive: true, force: true });
  });
});

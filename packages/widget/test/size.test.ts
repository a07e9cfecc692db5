// The weight budget (STYLE habit 10): what a visitor loads before interacting
// (dist/widget.js) must stay at or under 24 KiB gzipped.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
// @ts-expect-error plain ESM build script without types
import { build, distDir } from '../build.mjs';

const BUDGET = 24 * 1024;

describe('widget size budget', () => {
  it('widget.js is at most 24 KiB gzipped and defines no globals at top level', async () => {
    await build({ watch: false });
    const file = path.join(distDir as string, 'widget.js');
    const js = fs.readFileSync(file);
    const gz = zlib.gzipSync(js, { level: 9 }).length;
    console.log(`widget.js: ${js.length} bytes, ${gz} bytes gzipped (budget ${BUDGET})`);
    expect(gz).toBeLessThanOrEqual(BUDGET);
    // An IIFE: everything lives inside one function scope.
    // The chat/call code is a separate chunk loaded on first use; it reuses widget.js's Preact, so it stays small.
    const chunk = fs.readFileSync(path.join(distDir as string, 'conversation.js'));
    expect(zlib.gzipSync(chunk, { level: 9 }).length).toBeLessThan(8 * 1024);
    expect(chunk.toString()).toMatch(/export\s*\{/);
    expect(js.toString().trim()).toMatch(/^("use strict";)?\(\(\)=>\{[\s\S]*\}\)\(\);$/);
  });
});

/** docs/protocol.md is the shared wire contract, copied into the repository: it must stay the same text. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const copy = path.join(root, 'docs/protocol.md');
// The shared folder sits beside the repository (team machine and CI alike).
const shared = [path.join(root, '../shared/spec/protocol.md'), '/work/shared/spec/protocol.md'].find((p) => fs.existsSync(p));

describe('docs/protocol.md', () => {
  it('starts with the note that it is a copy, then the contract', () => {
    const text = fs.readFileSync(copy, 'utf8');
    expect(text).toMatch(/^<!--[\s\S]*?shared\/spec\/protocol\.md[\s\S]*?-->\n\n# /);
  });

  it.skipIf(!shared)('is the same text as the shared contract', () => {
    const text = fs.readFileSync(copy, 'utf8').replace(/^<!--[\s\S]*?-->\n\n/, '');
    expect(text).toBe(fs.readFileSync(shared!, 'utf8'));
  });
});

// The admin app's and the console's code use exactly the keys of their English catalogue
// (the widget's keys are checked by its typed `t`).
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { usedKeys } from '../src/extract.js';

const root = path.resolve(__dirname, '../../..');
const parts = { console: ['apps/agent-console/src', 'packages/client-core/src/ui'], admin: ['apps/admin/src', 'packages/client-core/src/ui'] } as const;

describe.each(Object.entries(parts))('%s keys', (part, dirs) => {
  const en = JSON.parse(fs.readFileSync(path.join(root, `packages/i18n/locales/${part}/en.json`), 'utf8')) as Record<string, unknown>;
  const used = usedKeys(dirs.map((d) => path.join(root, d)));

  it('every text the code uses is in the English catalogue', () => {
    const missing = [...used].filter(([k]) => !(k in en)).map(([k, where]) => `${k} (${where})`);
    expect(missing).toEqual([]);
  });

  it('the English catalogue holds no text the code no longer uses', () => {
    expect(Object.keys(en).filter((k) => !k.startsWith('$') && !used.has(k))).toEqual([]);
  });
});

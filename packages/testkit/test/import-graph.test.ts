/**
 * The import graph of every package's and app's sources has no cycles — not
 * even type-only ones (dpdm without its type-stripping transform): a cycle is
 * a sign that two modules are one, or that a shape lives in the wrong place
 * (as `AppDeps` did in app.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree } from 'dpdm';
import { expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

it('has no import cycles in packages/*/src and apps/*/src, type-only imports included', async () => {
  const tree = await parseDependencyTree(['packages/*/src/**/*.{ts,tsx}', 'apps/*/src/**/*.{ts,tsx}'], {
    cwd: root,
    context: root,
    tsconfig: path.join(root, 'tsconfig.json'),
    transform: false,
    skipDynamicImports: false,
  });
  const ours = Object.keys(tree).filter((f) => /^(packages|apps)\/[^/]+\/src\//.test(f));
  // The walk really covered the sources (and followed imports between packages).
  expect(ours.length).toBeGreaterThan(100);
  expect(tree['packages/server/src/realtime/index.ts']?.map((d) => d.id)).toContain('packages/server/src/app-deps.ts');
  expect(tree['packages/server/src/app.ts']?.map((d) => d.id)).toContain('packages/server/src/realtime/index.ts');
  const cycles = parseCircular(tree).map((c) => c.join(' → '));
  expect(cycles).toEqual([]);
}, 120_000);

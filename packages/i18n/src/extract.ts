/**
 * Finds the catalogue keys a part's code uses: the string literals given to
 * `t(…)`, `tx(…)` and `msg(…)` (both branches of a `?:` too). Node only
 * (tests and tools); uses the TypeScript parser.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const FNS = new Set(['t', 'tx', 'msg']);

function literals(n: ts.Node, out: string[]): void {
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) out.push(n.text);
  else if (ts.isConditionalExpression(n)) {
    literals(n.whenTrue, out);
    literals(n.whenFalse, out);
  } else if (ts.isParenthesizedExpression(n)) literals(n.expression, out);
}

/** Keys used in the .ts/.tsx files under `dirs`, with where each is first used. */
export function usedKeys(dirs: string[]): Map<string, string> {
  const keys = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const f = path.join(dir, e.name);
      if (e.isDirectory()) walk(f);
      else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) {
        const sf = ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true, f.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
        const visit = (n: ts.Node) => {
          if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && FNS.has(n.expression.text) && n.arguments[0]) {
            const found: string[] = [];
            literals(n.arguments[0], found);
            for (const k of found) if (!keys.has(k)) keys.set(k, `${f}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`);
          }
          ts.forEachChild(n, visit);
        };
        visit(sf);
      }
    }
  };
  for (const d of dirs) walk(d);
  return keys;
}

// Copies the PNGs of one folder into another, made small for the repository
// (a 256-colour palette, best compression) with sharp:
//   node scripts/shrink-screenshots.mjs test-results/screenshots/after docs/screenshots/after
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error('usage: node scripts/shrink-screenshots.mjs <from-dir> <to-dir>');
  process.exit(2);
}
fs.mkdirSync(to, { recursive: true });
let total = 0;
for (const name of fs.readdirSync(from).filter((n) => n.endsWith('.png')).sort()) {
  const out = path.join(to, name);
  await sharp(path.join(from, name)).png({ palette: true, quality: 85, effort: 10, compressionLevel: 9 }).toFile(out);
  const size = fs.statSync(out).size;
  total += size;
  console.log(`${name}: ${(fs.statSync(path.join(from, name)).size / 1024).toFixed(0)} KiB → ${(size / 1024).toFixed(0)} KiB`);
}
console.log(`total ${(total / 1024).toFixed(0)} KiB in ${to}`);

// The first-load weight of a build: what index.html loads (html, js, wasm, css; the embed
// example is a separate page), raw and gzipped at level 9. Shared by the budget test and
// benches/browser.mjs.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Bytes of the build in `dist` (default: the repository's dist/). */
export function firstLoadWeight(dist = new URL('../../dist/', import.meta.url).pathname) {
  const files = readdirSync(dist).filter((f) => /\.(html|js|wasm|css)$/.test(f) && !f.startsWith('embed-example'));
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const bytes = readFileSync(join(dist, f));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gz, files };
}

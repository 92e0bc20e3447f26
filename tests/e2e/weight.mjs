// The first-load weight of a build: what index.html loads before the page runs (html, js, wasm,
// css; the embed example is a separate page; the rest of the code, `*_rest.wasm`, follows when
// the page is idle, see .ci/split-wasm.mjs), raw and gzipped at level 9; and the rest's weight.
// Shared by the budget test and benches/browser.mjs.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Bytes of the build in `dist` (default: the repository's dist/). */
export function firstLoadWeight(dist = new URL('../../dist/', import.meta.url).pathname) {
  const all = readdirSync(dist).filter((f) => /\.(html|js|wasm|css)$/.test(f) && !f.startsWith('embed-example'));
  const files = all.filter((f) => !f.endsWith('_rest.wasm'));
  const weigh = (names) => {
    let raw = 0;
    let gz = 0;
    for (const f of names) {
      const bytes = readFileSync(join(dist, f));
      raw += bytes.length;
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    return { raw, gz };
  };
  const rest = all.filter((f) => f.endsWith('_rest.wasm'));
  return { ...weigh(files), files, rest: { ...weigh(rest), files: rest } };
}

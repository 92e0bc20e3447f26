// Release builds: splits the app's wasm into what the first page needs and "the rest" (the
// other protocols and the page parts only they show), fetched when the page is idle or first
// needs it. The split itself is .ci/wasm-split (a Rust tool on walrus, the IR wasm-bindgen
// uses); this step runs it on Trunk's staged build, gives the glue the import the primary
// module calls when it reaches code of the rest (`~.l`, answered by www/boot.js), leaves
// `<name>_rest.wasm` next to the wasm and names it in index.html (`data-rest`). Called by
// .ci/short-names.mjs after it has renamed the glue's imports (the split adds names of its
// own, which that step must not touch).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
/** Where cargo builds the tool, and where its report goes. */
const targetDir = join(process.env.CARGO_TARGET_DIR || join(root, 'target'), 'wasm-split');

/** The wasm-split binary, built (once, then only when its source changes) by cargo. */
function tool() {
  execFileSync(
    'cargo',
    ['build', '--quiet', '--release', '--locked', '--manifest-path', join(root, '.ci/wasm-split/Cargo.toml'), '--target-dir', targetDir],
    { stdio: 'inherit' },
  );
  return join(targetDir, 'release', 'wasm-split');
}

/** The rest's file name (or path) for the primary module's (`…_bg.wasm` → `…_rest.wasm`). */
const restFileOf = (wasmFile) => wasmFile.replace(/_bg\.wasm$/, '_rest.wasm');

/**
 * Splits `dir/wasmFile` in place, patches `dir/jsFile` and `dir/index.html`. Fails (throws)
 * rather than ship a glue that does not answer the primary's import.
 */
export function splitWasm(dir, jsFile, wasmFile) {
  const wasm = join(dir, wasmFile);
  const rest = restFileOf(wasmFile);
  const report = join(targetDir, 'report.txt');
  const before = readFileSync(wasm).length;
  execFileSync(tool(), [wasm, wasm, join(dir, rest), report], { stdio: 'inherit' });
  if (!existsSync(join(dir, rest))) throw new Error(`wasm-split wrote no ${rest}`);

  // The glue's import object ends with its one module key (short-names made it "a"); the
  // primary also imports `~.l`, the loader of the rest, which boot.js installs.
  const js = readFileSync(join(dir, jsFile), 'utf8');
  const end = /("a": import0,\n)(\};\n\})/;
  if (!end.test(js)) throw new Error(`the glue's import object is not where wasm-split expects it (${jsFile})`);
  const loader = `"~": { l: (slot) => globalThis.quorumscopeRest(slot, wasm) },\n`;
  writeFileSync(join(dir, jsFile), js.replace(end, `$1${loader}$2`));
  // boot.js learns of the rest (and that there is one: a debug build has none) from the meta
  // element Trunk wrote: data-rest beside data-wasm.
  const htmlPath = join(dir, 'index.html');
  const html = readFileSync(htmlPath, 'utf8');
  const wasmAttr = /\bdata-wasm=("?)([^"\s>]*_bg\.wasm)\1/;
  if (!wasmAttr.test(html)) throw new Error('index.html has no data-wasm attribute naming the wasm');
  writeFileSync(htmlPath, html.replace(wasmAttr, (attr, q, path) => `${attr} data-rest=${q}${restFileOf(path)}${q}`));
  console.log(
    `split-wasm: ${wasmFile} ${before} → ${readFileSync(wasm).length} bytes, ${rest} ${readFileSync(join(dir, rest)).length} bytes (what went where: ${report})`,
  );
}

// Trunk post-build hook (see Trunk.toml): makes wasm-bindgen's output smaller without changing
// what it does, then brings index.html's integrity hashes up to date.
//
// wasm-bindgen names every JS function the wasm imports `__wbg_<name>_<16 hex digits>`, and
// some exports `…__invoke__h<16 hex digits>`: about 250 long names, each written in both the
// .wasm and the .js, whose random hex digits gzip cannot squeeze. This gives them the shortest
// unused names instead (`a`, `b`, … `aa`, …), the way emscripten minifies imports. It also drops
// the glue's indentation and whole-line comments (Trunk's own JS minifier fails on the glue).
//
// Every rewrite is checked: each old name must be found where the glue defines or reads it and
// nowhere else, and the glue must hold no multi-line template literal (the only place where
// trimming a line would change a value). Otherwise the build fails with a message rather than
// ship a broken page.
//
// Then it splits the wasm in two, the first page's code and the rest (./split-wasm.mjs), and
// brings index.html's integrity hashes up to date.
//
// Run by Trunk with TRUNK_STAGING_DIR and TRUNK_PROFILE set; release builds only.
// By hand: `node .ci/short-names.mjs DIR` rewrites the build in DIR.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitWasm } from './split-wasm.mjs';

/** The build folder, or nothing to do (a debug build keeps its names for debugging). */
function target() {
  if (process.argv[2]) return process.argv[2];
  if (process.env.TRUNK_PROFILE !== 'release') return null;
  return process.env.TRUNK_STAGING_DIR;
}

function fail(message) {
  console.error(`short-names: ${message}`);
  process.exit(1);
}

/** The n-th short name: a … z, A … Z, aa, ab, … (used as property names and, with a leading
 * `_`, as identifiers, so keywords such as `do` or `if` are fine). */
function shortName(n) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let s = '';
  do {
    s = letters[n % letters.length] + s;
    n = Math.floor(n / letters.length) - 1;
  } while (n >= 0);
  return s;
}

/** A reader over a wasm module's bytes. */
class Reader {
  constructor(bytes, at = 0) {
    this.bytes = bytes;
    this.at = at;
  }
  u32() {
    let result = 0;
    let shift = 0;
    let byte;
    do {
      byte = this.bytes[this.at++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  }
  name() {
    const len = this.u32();
    const s = this.bytes.subarray(this.at, this.at + len).toString('utf8');
    this.at += len;
    return s;
  }
  /** Skips an import's description (after its kind byte). */
  skipImportDesc(kind) {
    if (kind === 0) this.u32(); // function: type index
    else if (kind === 1) {
      this.at++; // table: element type
      this.skipLimits();
    } else if (kind === 2) this.skipLimits(); // memory
    else if (kind === 3) this.at += 2; // global: value type, mutability
    else if (kind === 4) {
      this.at++; // tag: attribute
      this.u32();
    } else fail(`unknown import kind ${kind}`);
  }
  skipLimits() {
    const flags = this.bytes[this.at++];
    this.u32();
    if (flags & 1) this.u32();
  }
}

function u32(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}
const name = (s) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s, 'utf8')]);

/** Rewrites the import and export sections with `rename(kind, name)`; returns the new module. */
function renameInWasm(bytes, renameImport, renameExport) {
  const r = new Reader(bytes, 8);
  const parts = [bytes.subarray(0, 8)];
  while (r.at < bytes.length) {
    const start = r.at;
    const id = bytes[r.at++];
    const size = r.u32();
    const end = r.at + size;
    if (id === 2 || id === 7) {
      const count = r.u32();
      const body = [u32(count)];
      for (let i = 0; i < count; i++) {
        if (id === 2) {
          const module = r.name();
          const field = r.name();
          const descStart = r.at;
          const kind = bytes[r.at++];
          r.skipImportDesc(kind);
          body.push(name(renameImport(module)), name(renameImport(field, module)), bytes.subarray(descStart, r.at));
        } else {
          const field = r.name();
          const descStart = r.at;
          r.at++;
          r.u32();
          body.push(name(renameExport(field)), bytes.subarray(descStart, r.at));
        }
      }
      if (r.at !== end) fail(`section ${id} did not parse to its end`);
      const content = Buffer.concat(body);
      parts.push(Buffer.from([id]), u32(content.length), content);
    } else {
      parts.push(bytes.subarray(start, end));
    }
    r.at = end;
  }
  return Buffer.concat(parts);
}

/** A whole JS identifier, not part of a longer one. */
const token = (id) => new RegExp(`(?<![\\w$])${id.replace(/\$/g, '\\$')}(?![\\w$])`);

/** Replaces every match of `pattern` (global, capturing the name as group 2) per `names`, and
 * checks that each old name was found, and that none is left anywhere else in the text. */
function replaceChecked(text, pattern, names, what) {
  const seen = new Set();
  const out = text.replace(pattern, (whole, before, old) => {
    const fresh = names.get(old);
    if (fresh === undefined) return whole;
    seen.add(old);
    return before + fresh;
  });
  for (const old of names.keys()) {
    if (!seen.has(old)) fail(`${what} ${old} is not in the glue`);
    if (token(old).test(out)) fail(`${what} ${old} is used in the glue other than as expected`);
  }
  return out;
}

/** Drops indentation, blank lines and whole-line `//` comments. */
function trimGlue(js) {
  const lines = js.split('\n');
  for (const [i, line] of lines.entries()) {
    const body = line.trimStart().startsWith('//') ? '' : line;
    if ((body.match(/`/g) ?? []).length % 2) fail(`line ${i + 1} of the glue may open a multi-line template literal`);
  }
  return lines
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('//'))
    .join('\n') + '\n';
}

function shorten(dir) {
  const files = readdirSync(dir);
  const glue = files.filter((f) => f.endsWith('.js') && readFileSync(join(dir, f), 'utf8').includes('function __wbg_get_imports()'));
  if (glue.length !== 1) fail(`expected one wasm-bindgen glue file in ${dir}, found ${glue.length}`);
  const jsFile = glue[0];
  const wasmFile = jsFile.replace(/\.js$/, '_bg.wasm');
  if (!files.includes(wasmFile)) fail(`no ${wasmFile} next to ${jsFile}`);
  let js = readFileSync(join(dir, jsFile), 'utf8');
  const wasm = readFileSync(join(dir, wasmFile));

  let next = 0;
  const modules = new Map();
  const imports = new Map();
  const exports = new Map();
  const out = renameInWasm(
    wasm,
    (field, module) => {
      if (module === undefined) {
        // The import object's module key, e.g. "./quorumscope-web_bg.js".
        if (!modules.has(field)) modules.set(field, shortName(next++));
        return modules.get(field);
      }
      if (!/^__wb(g|indgen)_\w+$/.test(field)) fail(`unexpected import ${module}.${field}`);
      if (imports.has(field)) fail(`import ${field} twice`);
      // Keys of one object literal: they only need to differ from each other.
      imports.set(field, shortName(next++));
      return imports.get(field);
    },
    (field) => {
      // Only the long, hashed closure entry points, which the glue also uses as the names of
      // its own wrapper functions; the short fixed ones (memory, malloc, …) gain little.
      // (legacy mangling: `…__invoke__h<16 hex digits>`; v0: `wasm_bindgen_<16 hex
      // digits>___convert__closures_…invoke…`).
      if (!/__invoke__h[0-9a-f]{16}|^wasm_bindgen_[0-9a-f]{16}___convert__closures_/.test(field)) return field;
      let fresh;
      do fresh = `_${shortName(next++)}`;
      while (token(fresh).test(js));
      exports.set(field, fresh);
      return fresh;
    },
  );

  for (const [old, short] of modules) {
    const key = `"${old}": import0`;
    if (js.split(key).length !== 2) fail(`module key ${key} is not in the glue once`);
    js = js.replace(key, `"${short}": import0`);
  }
  // Imports are the keys of the import object: `    __wbg_name_hash: function(`.
  js = replaceChecked(js, /(^\s*)(__wb(?:g|indgen)_\w+)(?=: function\()/gm, imports, 'import');
  // Exports are read as `wasm.name`, and the glue's wrapper function of the same name is called
  // by name: every occurrence of the whole identifier is renamed (to one the glue does not use).
  for (const [old, short] of exports) {
    const before = js;
    js = js.replace(new RegExp(token(old).source, 'g'), short);
    if (js === before) fail(`export ${old} is not in the glue`);
  }
  js = trimGlue(js);

  writeFileSync(join(dir, wasmFile), out);
  writeFileSync(join(dir, jsFile), js);
  console.log(`short-names: ${imports.size} imports, ${exports.size} exports renamed; ${wasmFile} ${wasm.length} → ${out.length} bytes`);
  try {
    splitWasm(dir, jsFile, wasmFile);
  } catch (e) {
    fail(e.message);
  }
  updateIntegrity(dir, [jsFile, wasmFile]);
}

/** Rewrites the `integrity` attribute of every reference in index.html to a changed file. */
function updateIntegrity(dir, changed) {
  const htmlPath = join(dir, 'index.html');
  let html = readFileSync(htmlPath, 'utf8');
  for (const file of changed) {
    const digest = createHash('sha384').update(readFileSync(join(dir, file))).digest('base64');
    const tag = new RegExp(`<link[^>]*\\b${file.replace(/[.]/g, '\\.')}\\b[^>]*>`, 'g');
    html = html.replace(tag, (t) => t.replace(/integrity="?sha384-[A-Za-z0-9+/=]+"?/, `integrity="sha384-${digest}"`));
  }
  writeFileSync(htmlPath, html);
}

const dir = target();
if (dir) shorten(dir);

// Where the web build's bytes are, by area (a twiggy-style summary without twiggy): optimises
// the web app's wasm as a release build does (wasm-bindgen, then wasm-opt with index.html's
// options) but keeps the function names, and sums the function bodies by what their names say
// they belong to, then the data segments. Prints figures; asserts nothing.
//
// Run after a release build (`trunk build --release …`, which leaves the linked wasm in
// target/):   node benches/wasm-breakdown.mjs [path/to/quorumscope-web.wasm]
// TOP=30 also lists the 30 biggest functions.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const input = process.argv[2] ?? join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'wasm32-unknown-unknown/web/quorumscope-web.wasm');

if (!existsSync(input)) {
  console.error(`No linked wasm at ${input}: run a release build first (trunk build --release …), or pass the path.`);
  process.exit(2);
}

/** The wasm-opt options the release build uses (index.html's data-wasm-opt attributes). */
function wasmOptArgs() {
  const html = readFileSync(join(root, 'index.html'), 'utf8');
  const level = html.match(/data-wasm-opt="([^"]*)"/)?.[1] ?? 's';
  const params = html.match(/data-wasm-opt-params="([^"]*)"/)?.[1] ?? '';
  return [`-O${level}`, ...params.split(/\s+/).filter(Boolean)];
}

/** The optimised module, names kept. */
function optimised() {
  const dir = mkdtempSync(join(tmpdir(), 'qs-breakdown-'));
  try {
    execFileSync('wasm-bindgen', ['--target', 'web', '--keep-debug', '--out-dir', dir, input], { stdio: 'inherit' });
    const bg = join(dir, 'quorumscope-web_bg.wasm');
    const out = join(dir, 'named.wasm');
    execFileSync('wasm-opt', [...wasmOptArgs(), '-g', bg, '-o', out], { stdio: 'inherit' });
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Function bodies (with names) and data segments of a module. */
function parse(bytes) {
  let at = 8;
  const u32 = () => {
    let result = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[at++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  const skipLimits = () => {
    const flags = bytes[at++];
    u32();
    if (flags & 1) u32();
  };
  let imported = 0;
  const bodies = [];
  const names = new Map();
  const data = [];
  while (at < bytes.length) {
    const id = bytes[at++];
    const end = u32() + at;
    if (id === 2) {
      const skipName = () => {
        const len = u32();
        at += len;
      };
      for (let n = u32(); n > 0; n--) {
        skipName(); // module
        skipName(); // field
        const kind = bytes[at++];
        if (kind === 0) {
          u32();
          imported++;
        } else if (kind === 1) {
          at++;
          skipLimits();
        } else if (kind === 2) skipLimits();
        else if (kind === 3) at += 2;
        else u32();
      }
    } else if (id === 10) {
      for (let n = u32(); n > 0; n--) {
        const size = u32();
        bodies.push(bytes.subarray(at, at + size));
        at += size;
      }
    } else if (id === 11) {
      for (let n = u32(); n > 0; n--) {
        const flags = u32();
        if (flags === 2) u32();
        if (flags !== 1) while (bytes[at++] !== 0x0b); // the offset expression
        const size = u32();
        data.push(bytes.subarray(at, at + size));
        at += size;
      }
    } else if (id === 0) {
      const len = u32();
      const name = bytes.subarray(at, at + len).toString();
      at += len;
      while (name === 'name' && at < end) {
        const sub = bytes[at++];
        const subEnd = u32() + at;
        if (sub === 1) {
          for (let n = u32(); n > 0; n--) {
            const index = u32();
            const l = u32();
            names.set(index, bytes.subarray(at, at + l).toString());
            at += l;
          }
        }
        at = subEnd;
      }
    }
    at = end;
  }
  return { functions: bodies.map((body, i) => ({ body, name: names.get(imported + i) ?? '' })), data };
}

// First match wins: a protocol's Debug impl is the protocol's, a BTreeMap is a collection
// before it is `alloc`.
const AREAS = [
  ['protocols (incl. their type-erased adapters)', /quorumscope::protocols|erased::Typed<P>|<M as quorumscope::sim::erased|<T as quorumscope::sim::erased|erased::TimerOf<N>/],
  ['page: components and their render code', /quorumscope::ui::|quorumscope_web|CompStateInner<COMP>.*::view/],
  ['charts (src/charts: points, axes, SVG)', /quorumscope::charts::/],
  ['simulator, links, trace import/export', /quorumscope::/],
  ['yew runtime (diffing, hooks, scheduler)', /yew|implicit_clone/],
  ['serde / serde_json', /serde|zmij/],
  ['collections (B-trees, hash maps)', /btree|BTree|hashbrown|HashMap|indexmap/],
  ['sorting', /slice::sort/],
  ['formatting and number parsing', /fmt|flt2dec|dec2flt|FromStr|num::|<char>|str::/],
  ['wasm-bindgen, js-sys, web-sys, gloo', /wasm_bindgen|js_sys|web_sys|gloo|Closure\(|externref/i],
  ['allocator (dlmalloc)', /dlmalloc|__rust_(alloc|dealloc|realloc)|__rdl_/],
  ['other core / alloc / std', /core|alloc|std/],
  ['other', /./],
];

const kb = (n) => (n / 1024).toFixed(1).padStart(6);
const { functions, data } = parse(optimised());
const code = functions.reduce((s, f) => s + f.body.length, 0);
const dataBytes = data.reduce((s, d) => s + d.length, 0);
console.log(`wasm after wasm-opt ${wasmOptArgs().join(' ')}: ${kb(code)} KB code in ${functions.length} functions, ${kb(dataBytes)} KB data`);
console.log('area'.padEnd(48), '    KB  funcs  KB gz alone');
for (const [area] of AREAS) {
  const mine = functions.filter((f) => AREAS.find(([, p]) => p.test(f.name))?.[0] === area);
  const bytes = mine.reduce((s, f) => s + f.body.length, 0);
  const gz = gzipSync(Buffer.concat(mine.map((f) => f.body)), { level: 9 }).length;
  console.log(area.padEnd(48), kb(bytes), String(mine.length).padStart(6), kb(gz));
}
// Data: readable text (messages, labels, help), the rest (tables, vtables, panic locations).
const all = Buffer.concat(data);
const text = [...all.toString('latin1').matchAll(/[\x20-\x7e\n]{6,}/g)].reduce((s, m) => s + m[0].length, 0);
console.log('data: text (messages, labels, CSS names, file paths)'.padEnd(48), kb(text));
console.log('data: tables, vtables, panic locations'.padEnd(48), kb(dataBytes - text));
console.log('data, gzipped alone'.padEnd(48), kb(gzipSync(all, { level: 9 }).length));

const top = Number(process.env.TOP ?? 0);
for (const f of [...functions].sort((a, b) => b.body.length - a.body.length).slice(0, top)) {
  console.log(String(f.body.length).padStart(7), f.name.slice(0, 160));
}

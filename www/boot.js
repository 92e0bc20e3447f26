// Starts the QuorumScope wasm app. Kept as a file (not Trunk's inline loader) so the page runs
// under a Content-Security-Policy without 'unsafe-inline'. Trunk writes the hashed file names
// into <meta name="quorumscope-app"> (see Trunk.toml, pattern_script).
const meta = document.querySelector('meta[name="quorumscope-app"]');

// Messages the host page posts before the app has started are kept, and handed over (in order)
// when the app installs its own listener (src/ui/embed.rs).
const early = [];
const keep = (e) => early.push(e);
window.addEventListener('message', keep);
window.quorumscopeEarly = () => {
  window.removeEventListener('message', keep);
  return early.splice(0);
};

function fail(err, title = 'QuorumScope could not start', advice = 'This browser could not load the simulation (WebAssembly). ') {
  console.error(`${title}:`, err);
  const panel = document.createElement('section');
  panel.className = 'panic-panel';
  panel.setAttribute('role', 'alert');
  const h = document.createElement('h2');
  h.textContent = title;
  const p = document.createElement('p');
  p.textContent = advice + String(err);
  panel.append(h, p);
  document.body.prepend(panel);
}

// Release builds come in two modules (see .ci/split-wasm.mjs, which names the second in
// data-rest; a debug build has one): the first page's code, and the rest (the other protocols
// and the page parts only they show). The rest is fetched and compiled when the page is idle,
// or before the start when the link names another protocol. The first module calls
// `quorumscopeRest` the first time it reaches code of the rest; if that code has not arrived
// yet (a click in the first moments), it is fetched there and then.
const restUrl = meta.dataset.rest;
let restModule = null;
let restFetch = null;
function fetchRest() {
  restFetch ??= fetch(restUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`${restUrl}: ${r.status} ${r.statusText}`);
      return r.arrayBuffer();
    })
    .then((bytes) => WebAssembly.compile(bytes))
    .then((m) => (restModule ??= m))
    .catch((err) => {
      // Not fatal here: the first call into the rest fetches it again, and reports a failure.
      console.warn('QuorumScope could not fetch the rest of its code in the background:', err);
      restFetch = null;
    });
  return restFetch;
}
function fetchRestNow() {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', restUrl, false);
  xhr.overrideMimeType('text/plain; charset=x-user-defined');
  xhr.send();
  if (xhr.status !== 200) throw new Error(`QuorumScope could not load ${restUrl}: ${xhr.status} ${xhr.statusText}`);
  const text = xhr.responseText;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return new WebAssembly.Module(bytes);
}
window.quorumscopeRest = (slot, exports) => {
  try {
    restModule ??= fetchRestNow();
    // Instantiating fills the first module's table slots and marks the rest loaded.
    new WebAssembly.Instance(restModule, { '~': exports });
  } catch (err) {
    // The page cannot go on with what it was doing: say so where the visitor looks.
    fail(err, 'QuorumScope could not load the rest of its code', 'Reload the page to try again. ');
    throw err;
  }
};
// URLSearchParams reads any query, malformed escapes included, without throwing.
const protocol = new URLSearchParams(location.search).get('protocol');
// Raft is the first page's protocol (FIRST_PAGE_PROTOCOLS in .ci/wasm-split/src/rules.rs).
const otherProtocol = restUrl !== undefined && protocol !== null && protocol !== 'raft';

try {
  const { default: init } = await import(meta.dataset.js);
  const first = fetch(meta.dataset.wasm);
  if (otherProtocol) await fetchRest();
  await init({ module_or_path: first });
  if (restUrl === undefined || otherProtocol) {
    // Nothing to fetch, or fetched already.
  } else if ('requestIdleCallback' in window) requestIdleCallback(() => fetchRest(), { timeout: 3000 });
  else setTimeout(() => fetchRest(), 1000);
} catch (err) {
  fail(err);
}

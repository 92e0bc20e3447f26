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

function fail(err) {
  console.error('QuorumScope could not start:', err);
  const panel = document.createElement('section');
  panel.className = 'panic-panel';
  panel.setAttribute('role', 'alert');
  const h = document.createElement('h2');
  h.textContent = 'QuorumScope could not start';
  const p = document.createElement('p');
  p.textContent = 'This browser could not load the simulation (WebAssembly). ' + String(err);
  panel.append(h, p);
  document.body.prepend(panel);
}

try {
  const { default: init } = await import(meta.dataset.js);
  await init({ module_or_path: meta.dataset.wasm });
} catch (err) {
  fail(err);
}

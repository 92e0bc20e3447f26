// Browser figures for QuorumScope, measured in headless Chromium against the release build in
// dist/ (built by .ci/test or `trunk build --release --public-url /blog/raft/`):
//   - first-load weight: html + js + wasm + css, gzipped, and the rest of the code fetched after;
//   - main-thread busy time per wall second (CDP Performance.getMetrics TaskDuration over 10 s)
//     at 5 nodes and default speed;
//   - frame-gap p95 at 25 nodes with several hundred messages in flight (requestAnimationFrame
//     intervals over 5 s; latency 90-130 ms and steady client load keep some 300-600 messages on the
//     wire);
//   - the heaviest play the page offers: 25 nodes, 200 client requests per virtual second, at 10x
//     (main-thread busy per wall second, frame-gap p50/p95/p99/max over 10 s, and the speed the
//     run actually reached: the page lets virtual time lag rather than stall).
// Run: node benches/browser.mjs      Prints figures; asserts nothing.
//   ONLY=heavy    runs only the cases whose label contains that word (weight, busy, gaps, heavy);
//   PROFILE=1     also prints where the busy and heavy cases' main-thread time goes (CDP sampling profiler;
//                 names are readable when dist/ holds a wasm with its name section), and for the busy
//                 case the time by rendering phase with frames and layouts per second (a trace) and
//                 how often the page changed (renders per second).
import { chromium } from 'playwright-core';
import { startServer } from '../tests/e2e/server.mjs';
import { firstLoadWeight } from '../tests/e2e/weight.mjs';

// DIST=/some/dir measures another build (default: dist/).
const dist = process.env.DIST ?? new URL('../dist/', import.meta.url).pathname;
const only = process.env.ONLY ?? '';
const wanted = (label) => label.includes(only);

const { raw, gz, files, rest } = firstLoadWeight(dist);
if (wanted('weight')) {
  console.log(`first-load weight: ${(gz / 1024).toFixed(1)} KB gzipped (${(raw / 1024).toFixed(1)} KB raw) over ${files.join(', ')}`);
  console.log(`then, fetched once the page runs: ${(rest.gz / 1024).toFixed(1)} KB gzipped (${(rest.raw / 1024).toFixed(1)} KB raw) in ${rest.files.join(', ') || 'nothing'}`);
}

const server = await startServer({ root: dist });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});

/** Main-thread busy time (CDP TaskDuration), in ms per wall second, while `during` runs. */
async function busyDuring(page, during) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration').value;
  };
  const before = await metric();
  const start = Date.now();
  const result = await during();
  const busy = (await metric()) - before;
  const wall = (Date.now() - start) / 1000;
  return { busyPerSecond: (busy * 1000) / wall, result };
}

/** requestAnimationFrame intervals over `ms` of wall time, in ms, sorted. */
async function frameGaps(page, ms) {
  const gaps = await page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        const out = [];
        let last = performance.now();
        const end = last + ms;
        const tick = (now) => {
          out.push(now - last);
          last = now;
          if (now < end) requestAnimationFrame(tick);
          else resolve(out);
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
  return gaps.sort((a, b) => a - b);
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** Virtual time on the page's clock, in µs ("1.234 s / 2.000 s" → 1234000). */
async function clock(page) {
  const text = await page.locator('.controls .clock').innerText();
  const m = /^([\d.]+) (s|ms|µs)/.exec(text);
  return m ? Number(m[1]) * { s: 1e6, ms: 1e3, 'µs': 1 }[m[2]] : NaN;
}

async function open(query, speedSteps = 0) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}?${query}`);
  await page.getByRole('button', { name: /^Node 1\b/ }).first().waitFor();
  const play = page.getByRole('button', { name: /^Play\b/ });
  if (await play.count()) await play.first().click();
  for (let i = 0; i < speedSteps; i++) {
    await page.evaluate(() => document.activeElement?.blur?.());
    await page.keyboard.press(']');
  }
  return page;
}

if (wanted('busy')) {
  const page = await open('protocol=raft&nodes=5&seed=42');
  // Measure the teaching speed: wait for the fast start of a plain page to end, if it has one.
  await page.locator('.controls .speed-note').waitFor({ state: 'detached', timeout: 20_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.waitForTimeout(1000);
  const metric = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration').value;
  };
  if (process.env.PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  const before = await metric();
  const start = Date.now();
  await page.waitForTimeout(10_000);
  const busy = (await metric()) - before;
  const wall = (Date.now() - start) / 1000;
  console.log(`main-thread busy, 5 nodes, default speed: ${((busy * 1000) / wall).toFixed(1)} ms per wall second`);
  if (process.env.PROFILE) {
    printProfile((await cdp.send('Profiler.stop')).profile);
    await printPhases(page, 5000);
    console.log(`  renders ${(await rendersPerSecond(page, 5000)).toFixed(1)}/s (tasks that changed the page)`);
  }
  await page.close();
}

if (wanted('gaps')) {
  // 1/10 of real time (three steps up from the default): a leader is elected within seconds.
  // Latency 90-130 ms (close to the election timeout) keeps some 300-600 messages on the wire.
  const page = await open('protocol=raft&nodes=25&seed=42&load=20&lat=90-130', 3);
  await page.waitForTimeout(8000);
  await page.waitForTimeout(1000);
  const sampled = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const out = [];
        const flying = [];
        let last = performance.now();
        const end = last + 5000;
        const tick = (now) => {
          out.push(now - last);
          flying.push(document.querySelectorAll('svg.ring [data-msg]').length);
          last = now;
          if (now < end) requestAnimationFrame(tick);
          else resolve({ out, flying });
        };
        requestAnimationFrame(tick);
      }),
  );
  const { out: gaps, flying } = sampled;
  gaps.sort((a, b) => a - b);
  const meanFlying = flying.reduce((a, b) => a + b, 0) / Math.max(1, flying.length);
  const p95 = gaps[Math.floor(gaps.length * 0.95)];
  const inFlight = await page.getByRole('button', { name: / from Node \d+ to Node \d+/ }).count();
  console.log(`frame gaps, 25 nodes, 20 req/s, latency 90-130 ms: p95 ${p95.toFixed(1)} ms over ${gaps.length} frames (${inFlight} messages in flight at the end; ${Math.round(meanFlying)} on average, ${Math.min(...flying)}-${Math.max(...flying)})`);
  await page.close();
}

if (wanted('heavy')) {
  // What a visitor reported: 25 nodes, 200 client requests per virtual second, played at 10x
  // (nine steps up from the default 1/100x). The simulation alone cannot keep up with that on a
  // small machine; the page is meant to stay smooth and let virtual time lag instead.
  const page = await open('protocol=raft&nodes=25&seed=5&load=200', 9);
  await page.waitForTimeout(2000);
  const profile = process.env.PROFILE ? await page.context().newCDPSession(page) : null;
  if (profile) {
    await profile.send('Profiler.enable');
    await profile.send('Profiler.setSamplingInterval', { interval: 200 });
    await profile.send('Profiler.start');
  }
  const t0 = await clock(page);
  const wall0 = Date.now();
  const { busyPerSecond, result: gaps } = await busyDuring(page, () => frameGaps(page, 10_000));
  const reached = ((await clock(page)) - t0) / 1e6 / ((Date.now() - wall0) / 1000);
  const note = await page.locator('.controls .speed-note').allInnerTexts();
  console.log(
    `heavy play, 25 nodes, 200 req/s, 10x: busy ${busyPerSecond.toFixed(0)} ms per wall second; ` +
      `frame gaps p50 ${pct(gaps, 0.5).toFixed(1)} / p95 ${pct(gaps, 0.95).toFixed(1)} / ` +
      `p99 ${pct(gaps, 0.99).toFixed(1)} / max ${gaps[gaps.length - 1].toFixed(1)} ms over ${gaps.length} frames; ` +
      `virtual time ran at ${reached.toFixed(2)}x${note.length ? ` (page says "${note.join(' ')}")` : ''}`,
  );
  if (profile) {
    const { profile: prof } = await profile.send('Profiler.stop');
    printProfile(prof);
  }
  await page.close();
}

/** Traces the page's main thread for `ms` and prints its time by phase (script, style, layout,
 * paint, commit, ...) in ms per wall second, with how many frames the page drew and how many
 * of them laid it out (about how often it rendered): counts that vary far less with the
 * machine's load than busy time does, for comparing two builds. */
async function printPhases(page, ms) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,toplevel', transferMode: 'ReportEvents' });
  await page.waitForTimeout(ms);
  await cdp.send('Tracing.end');
  await done;
  const main = new Set(events.filter((e) => e.name === 'thread_name' && e.args.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const self = new Map();
  const count = new Map();
  for (const key of main) {
    const slices = events
      .filter((e) => `${e.pid}:${e.tid}` === key && e.ph === 'X' && e.dur !== undefined)
      .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const open = [];
    const inner = new Map();
    for (const e of slices) {
      while (open.length && open.at(-1).ts + open.at(-1).dur <= e.ts) open.pop();
      if (open.length) inner.set(open.at(-1), (inner.get(open.at(-1)) ?? 0) + e.dur);
      open.push(e);
    }
    for (const e of slices) {
      self.set(e.name, (self.get(e.name) ?? 0) + e.dur - (inner.get(e) ?? 0));
      count.set(e.name, (count.get(e.name) ?? 0) + 1);
    }
  }
  const perSecond = (n) => (n * 1000) / ms;
  console.log(`  frames ${perSecond(count.get('Commit') ?? 0).toFixed(1)}/s, layouts ${perSecond(count.get('Layout') ?? 0).toFixed(1)}/s; main-thread self time by phase over ${ms / 1000} s:`);
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`  ${(perSecond(us) / 1000).toFixed(1).padStart(6)} ms/s  ${String(count.get(name)).padStart(5)}x  ${name}`);
  }
}

/** How many times a second the page's DOM changed over `ms` (one batch of mutation records per
 * task that changed it: about the app's renders). The app paces its renders by how late frames
 * come, so this can differ between builds even where the drawing code is the same. */
async function rendersPerSecond(page, ms) {
  const batches = await page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        let n = 0;
        const watch = new MutationObserver(() => n++);
        watch.observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
        setTimeout(() => {
          watch.disconnect();
          resolve(n);
        }, ms);
      }),
    ms,
  );
  return (batches * 1000) / ms;
}

/** Prints the functions with the most self time, and with the most time including what they
 * call, in a CDP CPU profile (shares of all samples, idle included). */
function printProfile(prof) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}`;
  const self = new Map();
  const total = new Map();
  let all = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    all += dt;
    let id = prof.samples[i];
    const leaf = name(byId.get(id));
    self.set(leaf, (self.get(leaf) ?? 0) + dt);
    const seen = new Set();
    while (id !== undefined) {
      const k = name(byId.get(id));
      if (!seen.has(k)) {
        seen.add(k);
        total.set(k, (total.get(k) ?? 0) + dt);
      }
      id = parent.get(id);
    }
  }
  for (const [title, map] of [['self time', self], ['total time', total]]) {
    console.log(`  ${title} (top 40):`);
    for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40))) {
      console.log(`  ${((100 * us) / all).toFixed(1).padStart(5)}%  ${k}`);
    }
  }
}

await browser.close();
await server.close();

// Browser figures for QuorumScope, measured in headless Chromium against the release build in
// dist/ (built by .ci/test or `trunk build --release --public-url /blog/raft/`):
//   - first-load weight: html + js + wasm + css, gzipped;
//   - main-thread busy time per wall second (CDP Performance.getMetrics TaskDuration over 10 s)
//     at 5 nodes and default speed;
//   - frame-gap p95 at 25 nodes with several hundred messages in flight (requestAnimationFrame
//     intervals over 5 s; latency 90-130 ms and steady client load keep some 300-600 messages on the
//     wire).
// Run: node benches/browser.mjs      Prints figures; asserts nothing.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../tests/e2e/server.mjs';

// DIST=/some/dir measures another build (default: dist/).
const dist = process.env.DIST ?? new URL('../dist/', import.meta.url).pathname;
// What index.html loads (the embed example is a separate page).
const files = readdirSync(dist).filter((f) => /\.(html|js|wasm|css)$/.test(f) && !f.startsWith('embed-example'));
let raw = 0;
let gz = 0;
for (const f of files) {
  const bytes = readFileSync(join(dist, f));
  raw += bytes.length;
  gz += gzipSync(bytes, { level: 9 }).length;
}
console.log(`first-load weight: ${(gz / 1024).toFixed(1)} KB gzipped (${(raw / 1024).toFixed(1)} KB raw) over ${files.join(', ')}`);

const server = await startServer({ root: dist });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});

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

{
  const page = await open('protocol=raft&nodes=5&seed=42');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.waitForTimeout(1000);
  const metric = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration').value;
  };
  const before = await metric();
  const start = Date.now();
  await page.waitForTimeout(10_000);
  const busy = (await metric()) - before;
  const wall = (Date.now() - start) / 1000;
  console.log(`main-thread busy, 5 nodes, default speed: ${((busy * 1000) / wall).toFixed(1)} ms per wall second`);
  await page.close();
}

{
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

await browser.close();
await server.close();

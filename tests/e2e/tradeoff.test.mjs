// The Trade-off panel: a failover page measures the failure detector's trade-off at the
// visitor's settings (a few seeded runs per threshold, in slices between frames) and draws
// mean crash detection and false suspicions against the threshold, with the numbers as a table;
// the run can be cancelled; a value the settings refuse is a message; Raft has no such panel.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, open, setup, until } from './helpers.mjs';

const BUTTON = { name: 'Measure the trade-off' };

/** The chart of one figure, by the start of its accessible name. */
const chart = (page, figure) =>
  page.getByRole('img', { name: new RegExp(`^${figure} \\(.*\\) against φ threshold: 1: `) });

describe('trade-off panel', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('measures detection time and false suspicions per φ threshold and draws them', async () => {
    const page = await open(env, '?protocol=failover&seed=5');
    const panel = page.getByRole('region', { name: /^Trade-off/ });
    await assert.doesNotReject(panel.getByText(/^Sample: 3 seeds \(5–7\) × 3 virtual minutes for each of 5 values \(15 runs\), one node at a time crashing/).waitFor());
    // The command line that gives the same numbers.
    await panel
      .getByText("quorumscope compare --link '?protocol=failover&nodes=3&seed=5' --sweep threshold=1,2,4,8,12 --first-seed 5 --seeds 3 --until 180s", { exact: true })
      .waitFor();
    // Record every progress text shown: the page renders between slices of work.
    await page.evaluate(() => {
      window.progressSeen = new Set();
      new MutationObserver(() => {
        const s = document.querySelector('.tradeoff .tradeoff-status');
        if (s) window.progressSeen.add(s.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
      window.longestFrameGap = 0;
      let last = performance.now();
      const frame = (t) => {
        window.longestFrameGap = Math.max(window.longestFrameGap, t - last);
        last = t;
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    const started = Date.now();
    await panel.getByRole('button', BUTTON).click();
    const detection = chart(page, 'crash detection');
    await detection.waitFor({ timeout: 60_000 });
    const seconds = (Date.now() - started) / 1000;
    const progress = await page.evaluate(() => [...window.progressSeen].filter((t) => /^ Run \d+ of 15/.test(t)));
    assert.ok(progress.length >= 3, `progress shown while measuring: ${progress}`);
    const gap = await page.evaluate(() => window.longestFrameGap);
    console.log(`trade-off: 15 runs measured in ${seconds.toFixed(1)} s wall; longest frame gap ${gap.toFixed(0)} ms`);

    // A point per threshold, rising with it; the name lists every value with its number.
    const points = async (img) =>
      img.locator('circle').evaluateAll((cs) => cs.map((c) => [c.dataset.x, Number(c.dataset.y)]));
    const detected = await points(detection);
    assert.deepEqual(detected.map((p) => p[0]), ['1', '2', '4', '8', '12']);
    const ms = detected.map((p) => p[1]);
    assert.ok(ms.every((v, i) => i === 0 || v > ms[i - 1]), `detection grows with the threshold: ${ms}`);
    const name = await detection.getAttribute('aria-label');
    assert.match(name, /^crash detection \(mean, ms\) against φ threshold: 1: \d+, 2: \d+, 4: \d+, 8: \d+, 12: \d+$/);
    const falseOnes = await points(chart(page, 'false suspicions'));
    assert.equal(falseOnes.length, 5);
    assert.ok(falseOnes[0][1] >= falseOnes[4][1], `fewer false suspicions at 12 than at 1: ${falseOnes}`);
    // The numbers as a table: a row per threshold.
    const table = panel.getByRole('table', { name: 'The numbers' });
    const rows = await table.locator('tbody th').allTextContents();
    assert.deepEqual(rows, ['1', '2', '4', '8', '12']);
    assert.equal(await panel.getByText(/broke an invariant/).count(), 0);
    assertClean(page);
  });

  it('can be cancelled, and says why it cannot measure refused settings', async () => {
    const page = await open(env, '?protocol=failover&seed=2');
    const panel = page.getByRole('region', { name: /^Trade-off/ });
    await panel.getByRole('button', BUTTON).click();
    await panel.getByRole('button', { name: 'Cancel' }).click();
    await panel.getByText('Cancelled.').waitFor();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await page.getByRole('img', { name: /against φ threshold/ }).count(), 0, 'no chart after a cancel');
    assert.ok(
      await panel.getByRole('button', BUTTON).evaluate((b) => b === document.activeElement),
      'focus goes back to the measure button',
    );

    const timeout = await open(env, '?protocol=failover&seed=2&detector=timeout&heartbeat=200');
    const refused = timeout.getByRole('region', { name: /^Trade-off/ });
    await refused.getByText("Timeout detector's limit (ms) swept").waitFor();
    await refused.getByRole('button', BUTTON).click();
    await refused.getByRole('alert').getByText(/^Cannot measure at these settings: timeout=150: the timeout \(150 ms\) must be longer than the heartbeat interval/).waitFor();
    assertClean(page);
    assertClean(timeout);
  });

  it('reports a run that broke an invariant, with a link that opens it', async () => {
    // Asynchronous replication (a deliberate bug) loses acknowledged writes at a failover.
    const page = await open(env, '?protocol=failover&seed=1&replication=async&lat=10-60');
    const panel = page.getByRole('region', { name: /^Trade-off/ });
    await panel.getByRole('button', BUTTON).click();
    const note = panel.getByText(/^threshold=4: 1 of 3 runs broke an invariant; seed 1: Durability at /);
    await note.waitFor({ timeout: 60_000 });
    await panel.getByRole('link', { name: 'Open that run' }).first().click();
    await page.getByRole('region', { name: /^Invariants 1 violated/ }).waitFor({ timeout: 30_000 });
    assert.match(page.url(), /replication=async&threshold=1&a=.*&at=180000000/);
    assertClean(page);
  });

  it('does not appear for a protocol that declares no trade-off', async () => {
    const page = await open(env, '?protocol=raft&seed=1');
    await page.getByRole('region', { name: /^Invariants/ }).waitFor();
    assert.equal(await page.getByRole('button', BUTTON).count(), 0);
    assert.equal(await page.getByRole('region', { name: /^Trade-off/ }).count(), 0);
    assertClean(page);
  });
});

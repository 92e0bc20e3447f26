// A run too busy for its speed (25 nodes, 200 client requests per virtual second, 10×): the page
// lets virtual time lag rather than stall, says so next to the speed, and still answers at once.
// (How smooth it stays is measured by benches/browser.mjs, not asserted here.)

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, faster, open, playing, setup, shortcut, until } from './helpers.mjs';

/** Virtual time on the clock, in µs ("1.234 s / …" → 1234000). */
async function clock(page) {
  const text = await page.locator('.controls .clock').innerText();
  const m = /^([\d.]+) (s|ms|µs)/.exec(text);
  return Number(m[1]) * { s: 1e6, ms: 1e3, 'µs': 1 }[m[2]];
}

describe('a run too busy for its speed', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('falls behind its speed and says so, and still pauses and resumes on request', async () => {
    const page = await open(env, '?protocol=raft&nodes=25&seed=5&load=200');
    await faster(page, 9);
    assert.equal(await page.locator('.controls .speed output').innerText(), '10×');
    const note = page.locator('.controls .speed-note.behind');
    await note.waitFor({ timeout: 20_000 });
    const m = /^behind: about ([\d.]+|1\/\d+)×$/.exec(await note.innerText());
    assert.ok(m, `unexpected note: ${await note.innerText()}`);
    assert.ok(!m[1].includes('/') ? Number(m[1]) < 10 : true, 'slower than the chosen 10×');
    assert.match(await note.getAttribute('title'), /cannot simulate the run this fast/);
    // Virtual time still moves.
    const t0 = await clock(page);
    await until(async () => (await clock(page)) > t0, 'the clock to move');
    // The page answers: pausing stops the clock and drops the note; playing again goes on.
    await shortcut(page, 'k');
    assert.equal(await playing(page), false);
    await note.waitFor({ state: 'detached' });
    const paused = await clock(page);
    await page.waitForTimeout(300);
    assert.equal(await clock(page), paused, 'paused means paused');
    await shortcut(page, 'k');
    await until(async () => (await clock(page)) > paused, 'the clock to move again');
    assertClean(page);
  });
});

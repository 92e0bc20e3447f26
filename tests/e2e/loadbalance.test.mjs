// Load balancing in the page, driven the way a visitor drives it: switch the policy while the
// run goes on (the "Change now" group), slow a server down from its menu, crash a server under
// consistent hashing, and read what the page says — the latency chart, the event log, the link,
// the servers' table and the hashing ring. The scenarios are those `tests/loadbalance.rs` scripts
// natively (same seeds), so the runs are the ones whose numbers that test checks.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, open, playing, setup, shortcut, sliderTime, until } from './helpers.mjs';

/** Plays at the top speed (10×) until the time slider reaches `t` µs, then pauses. */
async function playTo(page, t) {
  const speed = page.locator('.controls input[aria-keyshortcuts="[ ]"]');
  for (let i = 0; i < 20 && (await speed.getAttribute('aria-valuetext')) !== '10× real time'; i++) {
    const now = await speed.inputValue();
    await shortcut(page, ']');
    await until(async () => (await speed.inputValue()) !== now, 'the speed to change');
  }
  if (!(await playing(page))) await shortcut(page, 'k');
  await until(async () => (await sliderTime(page)) >= t, `the run to reach ${t} µs`, 90_000);
  await shortcut(page, 'k');
  await until(async () => !(await playing(page)), 'the run to pause');
}

/** The latency chart's p99 values (ms, `null` for a gap), oldest first. */
async function p99(page) {
  const chart = page.getByRole('img', { name: /^Client-observed latency: / });
  const text = await chart.locator('path[data-label="p99"]').getAttribute('data-values');
  return text.split(' ').map((v) => (v === '-' ? null : Number(v)));
}

/** Lines of the event log that match `re`. */
async function logLines(page, re) {
  const lines = await page.locator('.ev-list .ev-text').allInnerTexts();
  return lines.filter((l) => re.test(l));
}

/** The servers' table rows (node → its columns). */
async function servers(page) {
  const section = page.locator('.kind-table').filter({ has: page.getByRole('heading', { name: 'Servers', exact: true }) });
  return section.evaluate((s) => {
    const heads = [...s.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    return [...s.querySelectorAll('tbody tr')].map((tr) =>
      Object.fromEntries([...tr.children].map((c, i) => [heads[i], c.textContent.trim()])),
    );
  });
}

describe('load balancing', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('switching the policy mid-run is recorded in the link and brings the p99 down', async () => {
    // The second server runs at a quarter speed; round-robin keeps sending it its share.
    const page = await open(env, '?protocol=loadbalance&seed=7&straggler=2&rate=60&at=20000000');
    const policy = page.getByLabel('Balancing policy', { exact: true }).and(page.locator('.live select'));
    assert.equal(await policy.inputValue(), 'round-robin');
    const before = (await p99(page)).filter((v) => v !== null).at(-1);
    assert.ok(before > 300, `round-robin's p99 with a straggler: ${before} ms`);

    await policy.selectOption('least-response-time');
    await until(async () => (await logLines(page, /^Set the balancing policy to least-response-time$/)).length === 1,
      'the switch in the event log');
    await until(async () => /[?&]a=[^&]*\.spolicy-3/.test(page.url()), 'the switch in the address bar');
    assert.equal(await policy.inputValue(), 'least-response-time');

    await playTo(page, 30_000_000);
    const after = (await p99(page)).filter((v) => v !== null).at(-1);
    assert.ok(after < before / 2, `p99 after the switch ${after} ms, before ${before} ms`);

    // Reopening the link replays the switch: the policy at the end is the new one.
    const link = page.url();
    const again = await open(env, link.slice(link.indexOf('?')));
    assert.equal(await again.locator('.live select').inputValue(), 'least-response-time');
    assertClean(page);
    assertClean(again);
  });

  it("a server slowed from its menu shows its new speed, and the event log says so", async () => {
    const page = await open(env, '?protocol=loadbalance&seed=4&policy=least-response-time&at=5000000');
    const speedOf3 = async () => Object.values((await servers(page))[1]);
    assert.ok((await speedOf3()).includes('100 %'), `Node 3 at full speed: ${await speedOf3()}`);
    await page.locator('#node-3').click();
    await page.getByRole('menuitem', { name: /^Speed: 25 % \(now 100 %\)$/ }).click();
    await until(async () => (await logLines(page, /^Set Node 3's speed to 25 %$/)).length === 1, 'the change in the event log');
    await until(async () => (await speedOf3()).includes('25 %'), 'Node 3 at 25 % in the servers table');
    // Its menu now offers the way back.
    await page.locator('#node-3').click();
    await page.getByRole('menuitem', { name: /^Speed: 100 % \(now 25 %\)$/ }).waitFor();
    assertClean(page);
  });

  it('killing a server under consistent hashing shows the keys that moved, next to mod-N', async () => {
    const page = await open(env, '?protocol=loadbalance&seed=3&policy=consistent-hashing&at=2000000');
    const ring = page.getByRole('img', { name: /^Hashing ring \(ring scheme, 100 virtual nodes per server\): / });
    assert.match(await ring.getAttribute('aria-label'), /Node 2 \d+\.\d %, Node 3 \d+\.\d %, Node 4 \d+\.\d %, Node 5 \d+\.\d %$/);
    assert.equal(await ring.locator('.vnode').count(), 400);
    const moved = page.locator('.ring-moved');
    assert.match(await moved.innerText(), /No server has left or joined yet/);

    await page.locator('#node-4').click();
    await page.getByRole('menuitem', { name: 'Crash' }).click();
    await playTo(page, 3_000_000);
    const text = await until(async () => {
      const t = await moved.innerText();
      return /^Node 4 left/.test(t) && t;
    }, 'the moved keys');
    const m = /^Node 4 left: (\d+) of 1000 keys moved \((\d+) %\); mod-N hashing would move (\d+) \((\d+) %\)$/.exec(text);
    assert.ok(m, text);
    assert.ok(Number(m[2]) <= 50, `the ring moves at most 2/N of the keys: ${text}`);
    assert.ok(Number(m[4]) > 50, `mod-N moves most of them: ${text}`);
    assert.match(await ring.getAttribute('aria-label'), /Node 4 off the ring/);
    assert.equal(await ring.locator('.vnode').count(), 300);
    // The spread chart is there, with the run's own number of virtual nodes marked.
    const spread = page.getByRole('img', { name: /^Load spread against virtual nodes per server/ });
    assert.equal(await spread.locator('text.own').textContent(), '100');
    assertClean(page);
  });
});

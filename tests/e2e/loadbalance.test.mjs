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

describe('load balancing side by side', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  /** The side-by-side table: caption, column heads, and rows (label → [this run, twin]). */
  async function table(page) {
    return page.locator('.twin-table').evaluate((t) => ({
      caption: t.querySelector('caption').textContent,
      heads: [...t.querySelectorAll('thead th')].map((th) => th.textContent),
      rows: Object.fromEntries(
        [...t.querySelectorAll('tbody tr')].map((tr) => [tr.querySelector('th').textContent, [...tr.querySelectorAll('td')].map((td) => td.textContent)]),
      ),
    }));
  }
  const ms = (text) => Number(/^([\d.]+) ms$/.exec(text)?.[1]);

  it('shows two policies on one clock: the same moment, their percentiles next to each other, in one link', async () => {
    const page = await open(env, '?protocol=loadbalance&seed=7&straggler=2&rate=60&vs=policy:least-response-time&at=20000000');
    let t = await table(page);
    assert.equal(t.caption, 'Both runs at 20.000 s: the same seed, workload and faults');
    assert.deepEqual(t.heads.slice(1), ['policy = round-robin (this run)', 'policy = least-response-time']);
    const [rr, lrt] = t.rows['Client-observed latency, p99'].map(ms);
    assert.ok(lrt < rr / 2, `p99: round-robin ${rr} ms, least response time ${lrt} ms`);

    // One clock: scrubbing back moves both runs.
    const before = t.rows['Requests answered, per second'];
    await page.locator('.controls .time input').evaluate((e) => {
      e.value = '10000000';
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await until(async () => (await table(page)).caption.startsWith('Both runs at 10.000 s'), 'both runs at 10 s');
    t = await table(page);
    assert.notDeepEqual(t.rows['Requests answered, per second'], before, 'the figures follow the clock');

    // The link carries the comparison; choosing one run drops it.
    assert.match(page.url(), /[?&]vs=policy(:|%3A)least-response-time/);
    await page.locator('#twin-value').selectOption('');
    await until(async () => (await page.locator('.twin-table').count()) === 0, 'one run again');
    assert.doesNotMatch(page.url(), /[?&]vs=/);
    await page.locator('#twin-value').selectOption('p2c');
    await until(async () => (await page.locator('.twin-table').count()) === 1, 'the p2c twin');
    assert.deepEqual((await table(page)).heads.slice(1), ['policy = round-robin (this run)', 'policy = p2c']);
    assertClean(page);
  });

  it("a server crashed in the visitor's run crashes in the twin at the same moment", async () => {
    const page = await open(env, '?protocol=loadbalance&seed=7&vs=policy:p2c&at=5000000');
    const failed = async () => (await table(page)).rows['Requests failed, per second'].map(Number);
    assert.deepEqual(await failed(), [0, 0]);
    await page.locator('#node-2').click();
    await page.getByRole('menuitem', { name: 'Crash' }).click();
    await playTo(page, 6_000_000);
    // Requests sent to it in the detection gap fail in both runs.
    const [mine, twin] = await failed();
    assert.ok(mine > 0 && twin > 0, `failed per second: this run ${mine}, the twin ${twin}`);
    assert.match(page.url(), /[?&]a=[^&]*\.c2/, 'the crash is in the link once');
    assertClean(page);
  });

  it('a bad vs in a link is named, and the page shows one run', async () => {
    const page = await open(env, '?protocol=loadbalance&seed=7&vs=policy:fastest');
    await until(async () => /vs=policy:fastest: .*round-robin/.test(await page.locator('#messages').innerText()), 'the notice');
    assert.equal(await page.locator('.twin-table').count(), 0);
  });
});

describe('load balancing queues', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it("a slow server's waiting requests stand beside it, coloured by how long they have waited", async () => {
    const page = await open(env, '?protocol=loadbalance&seed=7&straggler=2&rate=60&at=20000000');
    const name = await page.locator('#node-3').getAttribute('aria-label');
    const queued = Number(/Queued (\d+) of 8/.exec(name)?.[1]);
    assert.ok(queued > 0, `the straggler has a queue: ${name}`);
    const cells = page.locator('#node-3 .queue rect');
    assert.equal(await cells.count(), Math.min(queued, 12));
    // The oldest has waited long at a quarter speed: darker than the freshest colour, and no
    // newer request is darker than an older one.
    const classes = await cells.evaluateAll((els) => els.map((e) => Number(e.getAttribute('class').slice(1))));
    assert.ok(classes[0] > 0, `ages ${classes}`);
    assert.deepEqual([...classes].sort((a, b) => b - a), classes, `oldest first: ${classes}`);
    // A fast server's queue is empty: nothing beside it.
    assert.equal(await page.locator('#node-2 .queue').count(), 0);
    assertClean(page);
  });
});

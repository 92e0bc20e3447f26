// Charts: a Raft run with clients under random faults charts client latency, with a gap or a
// spike at each leader change; the chart cursor follows the time slider (and play); clicking a
// chart or using its arrow keys seeks; a run without clients has no charts; dark mode recolours
// them.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, open, playing, seekBySlider, setup, sliderTime, until } from './helpers.mjs';

// `quorumscope run --protocol raft --param clients=3 --until 10s --faults random` prints this
// link: crashes, partitions, pauses and losses recorded as actions, opened paused at 10 s.
const FAULTY =
  '?protocol=raft&nodes=5&seed=42&clients=3&a=r.51my.c2~3t.d5wp.x3-4~3v.da9q.d3f~6f.iq2c.h~6u.j54p.o1-2~9h.pbju.q1~ek.105sx.t5~ey.10sk6.dd9~g2.1446d.n7ps-bko-1tq6-3alg~lp.1bse1.t4~np.1f4te.c5~un.1v9w9.r5~v8.1wrr3.r2~w1.1xmri.t5~yv.20jww.c5~103.23tyx.c1~113.258wv.x4-5~141.2buf0.dz8~14a.2cpp3.t2~14x.2ehxn.c2~15l.2gday.r2~17j.2jn19.r1~18d.2latc.q1~1bb.2o2mr.l4-5-mmu-uwv~1bx.2ovqp.r5~1dv.2qv1i.x2-3~1i9.2vi9r.d1c0~1md.33a7e.h~1mn.349q6.q1~1mo.34em9.t3~1pn.374tj.n7ps-bko-41tp-1kdk~1t6.3d4ju.q1~1wi.3h66v.h~1x6.3ihwl.q4~1yc.3klmo.h~1yc.3klmo.n7ps-bko-0-0~1yc.3klmo.l4-5&at=10000000';

const LATENCY = /^Client-observed latency: chart of p50, p95 and p99 latency over a sliding second, from 0 s to 10 s$/;

/** The latency chart's points: time (µs) and p50, p99 (ms, `null` for a gap). */
async function latencyPoints(page) {
  const svg = page.getByRole('img', { name: LATENCY });
  const times = (await svg.getAttribute('data-times')).split(' ').map(Number);
  const values = async (label) =>
    (await svg.locator(`path[data-label="${label}"]`).getAttribute('data-values'))
      .split(' ')
      .map((v) => (v === '-' ? null : Number(v)));
  const [p50, p99] = [await values('p50'), await values('p99')];
  assert.equal(p50.length, times.length);
  return times.map((t, i) => ({ t, p50: p50[i], p99: p99[i] }));
}

/** The times of the leader changes the timeline marks (a marker's text names each one). */
async function leaderChanges(page) {
  const marks = await page.locator('.tl-mark').evaluateAll((els) =>
    els.map((e) => ({ t: Number(e.dataset.t), label: e.getAttribute('aria-label') })),
  );
  return marks.filter((m) => m.label.includes('became leader')).map((m) => m.t);
}

/** The seek control of the first chart, its span and the cursor's place in it (0 to 1). */
async function cursor(page) {
  const seek = page.locator('.chart-seek').first();
  // Read in one step: while the run plays, a render between separate reads could move the
  // cursor after its time was read.
  const c = await seek.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const l = el.querySelector('.chart-cursor').getBoundingClientRect();
    const attr = (name) => Number(el.getAttribute(name));
    return {
      box: { x: r.x, y: r.y, width: r.width, height: r.height },
      t0: attr('aria-valuemin'),
      t1: attr('aria-valuemax'),
      now: attr('aria-valuenow'),
      at: (l.x + l.width / 2 - r.x) / r.width,
    };
  });
  return { seek, ...c };
}

describe('charts', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('a Raft run with three clients under random faults shows a latency gap or spike at each leader change', async () => {
    const page = await open(env, FAULTY);
    const chart = page.getByRole('img', { name: LATENCY });
    await chart.waitFor();
    const names = await page.locator('.charts svg[role="img"]').evaluateAll((els) =>
      els.map((e) => e.getAttribute('aria-label').split(':')[0]),
    );
    assert.deepEqual(names, [
      'Client-observed latency',
      'Client requests per second by outcome',
      'Entries committed per second',
    ]);
    // The latest values, as text that describes the drawing.
    const latestId = await chart.getAttribute('aria-describedby');
    const latest = await page.locator(`#${latestId}`).innerText();
    assert.match(latest, /^p50 [\d.]+ m?s, p95 [\d.]+ m?s, p99 [\d.]+ m?s over the last second$/);
    const rates = await page.locator('.chart-latest').nth(1).innerText();
    assert.match(rates, /^Requests answered [\d.]+\/s, Requests failed [\d.]+\/s, Requests timed out [\d.]+\/s over the last second$/);

    const points = await latencyPoints(page);
    assert.ok(points.length >= 100, `${points.length} points`);
    assert.equal(points.at(-1).t, 10_000_000, 'the last point is the moment on screen');
    const p50s = points.map((p) => p.p50).filter((v) => v !== null).sort((a, b) => a - b);
    const typical = p50s[Math.floor(p50s.length / 2)];
    assert.ok(typical > 20 && typical < 120, `a typical p50 of ${typical} ms`);
    const calm = points.filter((p) => p.p99 !== null && p.p99 < 2 * typical);
    assert.ok(calm.length >= 10, 'latency is low while no leader changes (so spikes mean something)');

    const changes = await leaderChanges(page);
    assert.ok(changes.length >= 5, `leader changes marked: ${changes}`);
    for (const t of changes) {
      const near = points.filter((p) => p.t >= t && p.t <= t + 1_500_000);
      assert.ok(
        near.some((p) => p.p99 === null || p.p99 > 3 * typical),
        `no gap or spike within 1.5 s of the leader change at ${t} µs: ${JSON.stringify(near)}`,
      );
    }

    // The p99 line starts at the first answer (the points before it are a gap), and the
    // chart follows the theme.
    const d = await chart.locator('path[data-label="p99"]').getAttribute('d');
    const firstX = Number(/^M([\d.]+) /.exec(d)[1]);
    assert.ok(firstX > 60, `the line starts at x ${firstX}, after the gap before the first answer`);
    const stroke = () => chart.locator('path[data-label="p50"]').evaluate((e) => getComputedStyle(e).stroke);
    const light = await stroke();
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.notEqual(await stroke(), light, 'dark mode recolours the lines');
    assertClean(page);
  });

  it('the charts fit a 360 px screen', async () => {
    const page = await open(env, '?protocol=raft&nodes=5&seed=42&clients=3&at=4000000', { viewport: { width: 360, height: 800 } });
    await page.locator('.charts .chart-seek').first().waitFor();
    const outside = await page.locator('.charts *').evaluateAll((els) =>
      els.filter((e) => e.getBoundingClientRect().right > window.innerWidth).map((e) => e.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(outside, [], 'chart parts beyond the screen');
    assertClean(page);
  });

  it('a run without clients has no charts panel', async () => {
    const page = await open(env, '?protocol=raft&nodes=5&seed=42&at=2000000');
    await page.locator('.controls .time input').waitFor();
    assert.equal(await page.locator('.charts').count(), 0);
    assert.equal(await page.locator('svg[role="img"][aria-label*="chart of"]').count(), 0);
    assertClean(page);
  });

  it('the chart cursor follows the time slider', async () => {
    const page = await open(env, FAULTY);
    await page.getByRole('img', { name: LATENCY }).waitFor();
    let c = await cursor(page);
    assert.equal(c.t0, 0);
    assert.equal(c.t1, 10_000_000);
    assert.ok(Math.abs(c.at - 1) < 0.01, `at the end: ${c.at}`);
    for (const t of [2_500_000, 7_500_000]) {
      await seekBySlider(page, t);
      await until(async () => (await cursor(page)).now === t, `the cursor at ${t}`);
      c = await cursor(page);
      assert.ok(Math.abs(c.at - t / 10_000_000) < 0.01, `cursor at ${c.at} for ${t}`);
      assert.equal(await c.seek.getAttribute('aria-valuetext'), `${(t / 1e6).toFixed(3)} s`);
    }
    // The points stop at the moment on screen; the recorded future after it is hatched.
    const points = await latencyPoints(page);
    assert.equal(points.at(-1).t, 7_500_000);
    const future = await page.locator('.chart-future').first().boundingBox();
    assert.ok(Math.abs(future.x - c.box.x - 0.75 * c.box.width) < 2, 'the hatching starts at the cursor');
    assert.ok(Math.abs(future.width - 0.25 * c.box.width) < 2, 'and ends at the horizon');
    await seekBySlider(page, 10_000_000);
    await until(async () => (await page.locator('.chart-future').count()) === 0, 'no future at the end');
    assertClean(page);
  });

  it('while the run plays, the charts grow with it and the cursor stays at the moment on screen', async () => {
    const page = await open(env, '?protocol=raft&nodes=5&seed=42&clients=3');
    await page.getByRole('img', { name: /^Client-observed latency: / }).waitFor({ timeout: 30_000 });
    const last = async () => {
      const times = await page.locator('.charts svg[role="img"]').first().getAttribute('data-times');
      return Number(times.split(' ').at(-1));
    };
    const first = await last();
    await until(async () => (await last()) > first, 'the latency chart to take in later points');
    assert.ok(await playing(page), 'still playing');
    const c = await cursor(page);
    const clock = await sliderTime(page);
    assert.ok(Math.abs(c.now - clock) <= 200_000, `the cursor (${c.now}) is at the clock (${clock})`);
    assert.ok(Math.abs(c.at - (c.now - c.t0) / (c.t1 - c.t0)) < 0.01, 'and drawn there');
    assertClean(page);
  });

  it('clicking a chart seeks to the time under the pointer, and its arrow keys step', async () => {
    const page = await open(env, FAULTY);
    await page.getByRole('img', { name: LATENCY }).waitFor();
    const c = await cursor(page);
    await c.seek.click({ position: { x: c.box.width * 0.3, y: c.box.height / 2 } });
    await until(async () => (await sliderTime(page)) < 9_000_000, 'the seek');
    const t = await sliderTime(page);
    assert.ok(Math.abs(t - 3_000_000) <= 10_000_000 / c.box.width + 1, `clicked at 30% and got ${t} µs`);
    assert.match(await page.locator('.controls .clock').innerText(), /^(2\.9|3\.0)\d\d s \/ 10\.000 s$/);
    const after = await cursor(page);
    assert.ok(Math.abs(after.at - 0.3) < 0.01, `the cursor went there: ${after.at}`);

    // Keyboard: it is a focusable slider; → steps one bucket (1/120 of the span), Home goes to the start.
    await c.seek.focus();
    await page.keyboard.press('ArrowRight');
    await until(async () => (await sliderTime(page)) > t, 'a step forward');
    assert.equal(await sliderTime(page), t + Math.floor(10_000_000 / 120));
    await page.keyboard.press('Home');
    await until(async () => (await sliderTime(page)) === 0, 'the start');
    assert.equal(await page.locator('.chart-latest').first().innerText(), 'No samples over the last second');
    assertClean(page);
  });
});

// Views: the space-time diagram seeks (pointer and keyboard) to the same state the time slider
// reaches, the event log filters by node and its entries seek, the timeline marks leaders and
// forks, the inspector marks what a step changed, Paxos and Multi-Paxos get the same views, and
// the page still fits a 360 px screen.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertClean,
  faster,
  leader,
  nodeNames,
  open,
  playing,
  seekBySlider,
  setup,
  shortcut,
  sliderTime,
  until,
} from './helpers.mjs';

/** Pauses the run if it plays. */
async function pause(page) {
  if (await playing(page)) await shortcut(page, 'k');
  await until(async () => !(await playing(page)), 'the run to pause');
}

/** What a visitor sees of the cluster: node names and log sizes. */
async function cluster(page) {
  return {
    nodes: await nodeNames(page),
    logs: await page.locator('.logs .strip').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))),
  };
}

describe('views', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('seeking from the space-time diagram moves the clock and the slider to the same state', async () => {
    const page = await open(env, '?seed=11&load=10');
    await faster(page);
    await leader(page);
    await page.waitForTimeout(800);
    await pause(page);
    const end = await sliderTime(page);
    const clock = await page.locator('.controls .clock').innerText();

    const plot = page.getByRole('slider', { name: 'Moment on the space-time diagram' });
    await plot.scrollIntoViewIfNeeded();
    const box = await plot.boundingBox();
    const t0 = Number(await plot.getAttribute('data-t0'));
    const usPerPx = Number(await plot.getAttribute('data-us-per-px'));
    // Click halfway between the diagram's left edge and the current time.
    const x = Math.round((end - t0) / usPerPx / 2);
    assert.ok(x > 10 && x < box.width, `the current time is drawn (${x * 2} px in)`);
    const expected = t0 + x * usPerPx;
    await plot.click({ position: { x, y: Math.round(box.height / 2) } });
    await until(async () => (await sliderTime(page)) !== end, 'the time slider to move');
    const t = await sliderTime(page);
    assert.ok(Math.abs(t - expected) <= 3 * usPerPx, `went to ${t} µs, clicked about ${expected} µs`);
    assert.notEqual(await page.locator('.controls .clock').innerText(), clock, 'the clock changed');
    assert.equal(Number(await plot.getAttribute('aria-valuenow')), t, 'the diagram follows the clock');
    const seen = await cluster(page);

    // The same run on a fresh page, moved there with the time slider, shows the same cluster.
    const fresh = await open(env, `?seed=11&load=10&at=${end}`);
    assert.equal(await playing(fresh), false);
    await seekBySlider(fresh, t);
    await until(async () => (await sliderTime(fresh)) === t, 'the fresh page to reach the moment');
    assert.deepEqual(await cluster(fresh), seen);

    // The keyboard does the same: Enter for a cursor, ← to move it, Enter to go there.
    await plot.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    const cursor = Number(await plot.getAttribute('aria-valuenow'));
    assert.ok(cursor < t, 'the cursor moved back');
    assert.equal(await sliderTime(page), t, 'moving the cursor alone does not seek');
    assert.match(await page.locator('#st-readout').innerText(), /Cursor at .*press Enter to go there/);
    await page.keyboard.press('Enter');
    await until(async () => (await sliderTime(page)) === cursor, 'Enter to seek to the cursor');
    assertClean(page);
    assertClean(fresh);
  });

  it('filters the event log by node, and activating an entry seeks to its time', async () => {
    const page = await open(env, '?seed=5');
    await faster(page);
    await leader(page);
    await page.waitForTimeout(500);
    await pause(page);
    const log = page.getByRole('region', { name: 'Event log' });
    await log.getByLabel('Node').selectOption('2');
    const entries = log.locator('.ev-list button');
    await until(async () => (await entries.count()) > 5, 'entries about Node 2');
    const shown = await entries.evaluateAll((els) =>
      els.map((e) => ({ nodes: e.dataset.nodes.split(','), text: e.querySelector('.ev-text').textContent })),
    );
    assert.ok(shown.length <= 200, 'the list is windowed');
    for (const e of shown) {
      assert.ok(e.nodes.includes('2'), `a line about nodes ${e.nodes}: ${e.text}`);
      assert.match(e.text, /Node 2\b/);
    }
    // Entries are real buttons: focus one and press Enter.
    const entry = entries.nth(4);
    const t = Number(await entry.getAttribute('data-t'));
    await entry.focus();
    await page.keyboard.press('Enter');
    await until(async () => (await sliderTime(page)) === t, 'the clock to move to the entry');
    const times = await entries.evaluateAll((els) => els.map((e) => Number(e.dataset.t)));
    assert.ok(times.every((x) => x <= t), 'the log lists lines up to now only');
    // The kind filter narrows it further.
    await log.getByLabel('Kind').selectOption('send');
    await until(async () => {
      const kinds = await entries.evaluateAll((els) => els.map((e) => e.querySelector('.ev-kind').textContent));
      return kinds.length > 0 && kinds.every((k) => k === 'send');
    }, 'only sends about Node 2');
    assertClean(page);
  });

  it('the Kind filter lists every kind in the run, also for a link opened late in it', async () => {
    // 20 s into a quiet run: the newest lines are all heartbeats, the election long past.
    const page = await open(env, '?protocol=raft&nodes=5&seed=3&at=20000000');
    const log = page.getByRole('region', { name: 'Event log' });
    const kinds = () => log.getByLabel('Kind').locator('option').allTextContents();
    await until(async () => {
      const k = await kinds();
      return k.includes('role') && k.includes('vote');
    }, 'role and vote among the kinds');
    const newest = await log.locator('.ev-list .ev-kind').allTextContents();
    assert.ok(!newest.includes('vote'), 'no vote among the newest lines: the kinds came from the whole run');
    await log.getByLabel('Kind').selectOption('vote');
    const entries = log.locator('.ev-list button');
    await until(async () => {
      const k = await entries.evaluateAll((els) => els.map((e) => e.querySelector('.ev-kind').textContent));
      return k.length > 0 && k.every((x) => x === 'vote');
    }, 'the votes of the first election');
    assertClean(page);
  });

  it('marks the new leader on the timeline; the marker seeks there, and acting in the past forks', async () => {
    const page = await open(env, '?seed=3');
    await faster(page);
    await leader(page);
    const marker = page.locator('.tl-mark.leader').first();
    await marker.waitFor({ timeout: 10_000 });
    await page.waitForTimeout(500);
    await pause(page);
    assert.match(await marker.getAttribute('aria-label'), /Node \d+ became leader for term \d+, at /);
    const t = Number(await marker.getAttribute('data-t'));
    assert.ok(t < (await sliderTime(page)));
    await marker.click();
    await until(async () => (await sliderTime(page)) === t, 'the clock to move to the leader marker');
    const note = page.locator('#past-note');
    await note.waitFor();
    assert.match(await note.innerText(), /You are viewing the past: acting now discards the recorded future after this point/);
    assert.equal(await page.locator('.tl-future').count(), 1, 'the recorded future is drawn');
    assert.equal(
      await page.locator('.controls .time input').getAttribute('aria-describedby'),
      'past-note',
      'the slider points at the notice',
    );
    // The leader marker is still there when seen from before it (it is in the recorded future).
    await seekBySlider(page, Math.max(0, t - 1000));
    await until(async () => (await page.locator('.tl-mark.future').count()) > 0, 'a marker in the recorded future');
    // Act now: the recorded future is gone.
    await page.locator('#node-1').click();
    await page.getByRole('menuitem', { name: 'Time out' }).click();
    await note.waitFor({ state: 'detached' });
    assert.equal(await page.locator('.tl-future').count(), 0, 'no recorded future after acting');
    const action = page.locator('.tl-mark.action');
    await action.first().waitFor();
    assert.match(await action.first().getAttribute('aria-label'), /Forced a timeout on Node 1/);
    assertClean(page);
  });

  it('marks the inspector rows that a step changed', async () => {
    const page = await open(env, '?seed=9');
    await faster(page);
    const l = await leader(page);
    await pause(page);
    // A follower: the leader's heartbeats change it often.
    const id = (l.id % 5) + 1;
    await page.getByRole('button', { name: new RegExp(`^Inspect Node ${id}, `) }).click();
    await until(
      async () => new RegExp(`^Node ${id}, `).test(await page.locator('.inspector .who').innerText()),
      `Node ${id} in the inspector`,
    );
    assert.equal(await page.locator('.inspector .chg').count(), 0, 'nothing is marked before a step');
    let marked = 0;
    for (let i = 0; i < 80 && !marked; i++) {
      await shortcut(page, '.');
      await page.waitForTimeout(40);
      marked = await page.locator('.inspector .chg').count();
    }
    assert.ok(marked > 0, `some step changed Node ${id}`);
    const row = page.locator('.inspector dd.changed, .inspector tr.changed').first();
    assert.match(await row.innerText(), /changed|new/i);
    assert.equal(await row.getAttribute('aria-describedby'), 'inspector-changed');
    assert.match(await page.locator('#inspector-changed').innerText(), /since the previous event/);
    assertClean(page);
  });

  it('the same views work for every registered protocol', async () => {
    for (const protocol of ['paxos', 'multipaxos']) {
      const page = await open(env, `?protocol=${protocol}&seed=2&load=10`);
      await faster(page);
      const arrows = page.locator('.st-plot .ar');
      await until(async () => (await arrows.count()) > 3, `${protocol}: arrows on the space-time diagram`);
      await page.waitForTimeout(300);
      await pause(page);
      const log = page.getByRole('region', { name: 'Event log' });
      await until(async () => (await log.locator('.ev-list button').count()) > 3, `${protocol}: event log lines`);
      const end = await sliderTime(page);
      const plot = page.getByRole('slider', { name: 'Moment on the space-time diagram' });
      const t0 = Number(await plot.getAttribute('data-t0'));
      const usPerPx = Number(await plot.getAttribute('data-us-per-px'));
      const box = await plot.boundingBox();
      await plot.click({ position: { x: Math.round((end - t0) / usPerPx / 2), y: Math.round(box.height / 2) } });
      await until(async () => (await sliderTime(page)) < end, `${protocol}: the diagram to seek`);
      await page.locator('#past-note').waitFor();
      // A lane's tooltip explains the node from its own fields.
      await page.getByRole('button', { name: /^Inspect Node 1, / }).focus();
      assert.match(await page.locator('#st-why-1').innerText(), /^Node 1, \w+, \w+ \d+\n/);
      assertClean(page);
      await page.context().close();
    }
  });

  it('works at 360 px: no sideways page scroll, reduced motion followed live, tooltips on focus, the help dialog keeps and returns focus', async () => {
    const page = await open(env, '?seed=4', { viewport: { width: 360, height: 740 } });
    await faster(page);
    await leader(page);
    await pause(page);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 360, `the page is ${wide} px wide`);
    const scroll = await page.locator('.st-scroll').evaluate((e) => [e.scrollWidth, e.clientWidth]);
    assert.ok(scroll[1] <= 360, 'the diagram box fits the screen');

    // The reduced-motion preference is followed as it changes (the diagram then steps).
    assert.equal(await page.locator('.st-plot.reduced').count(), 0);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.locator('.st-plot.reduced').waitFor();
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    await page.locator('.st-plot.reduced').waitFor({ state: 'detached' });

    // A lane label's tooltip shows on keyboard focus.
    const lane = page.getByRole('button', { name: /^Inspect Node 2, / });
    await lane.focus();
    const tip = page.locator('#st-why-2');
    assert.equal(await tip.isVisible(), true, 'the lane tooltip shows on focus');
    assert.match(await tip.innerText(), /^Node 2, /);

    // The help dialog keeps Tab inside and gives focus back on closing.
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      assert.ok(await page.evaluate(() => !!document.activeElement?.closest('[role=dialog]')), 'focus stays in the dialog');
    }
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), '', 'focus left the dialog');
    assert.match(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''), /^Inspect Node 2, /);
    assertClean(page);
  });
});

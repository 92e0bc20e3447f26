// Links and layouts: a shared permalink replays the same run, malformed parameters are named,
// embed=1 is compact, the page fits a phone, and a panic shows the error panel.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertClean,
  faster,
  leader,
  messages,
  nodeNames,
  nodes,
  open,
  playing,
  setup,
  shortcut,
  until,
} from './helpers.mjs';

/** What a visitor sees of the run: node names, log sizes and the clock. */
async function state(page) {
  return {
    nodes: await nodeNames(page),
    logs: await page.locator('.logs .strip').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))),
    clock: await page.locator('.controls .clock').innerText(),
    flights: await messages(page).count(),
  };
}

describe('links and layouts', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('a shared permalink replays to the same state', async () => {
    const page = await open(env, '?seed=7&load=20');
    await faster(page);
    const l = await leader(page);
    // Crash the leader with the pointer this time, let the cluster recover, then pause.
    await page.locator(`#node-${l.id}`).click();
    await page.getByRole('menuitem', { name: 'Crash' }).click();
    await leader(page, { above: l.term });
    await page.waitForTimeout(700);
    await shortcut(page, 'k');
    assert.equal(await playing(page), false);
    await page.getByRole('button', { name: 'Share' }).click();
    await page.locator('.share-status', { hasText: 'Link copied' }).waitFor();
    const link = await page.locator('#share-link').inputValue();
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/blog\/raft\/\?/);
    assert.match(link, /[?&]a=/);
    assert.match(link, /[?&]at=\d+/);
    const before = await state(page);
    assert.ok(before.logs.some((s) => !/: 0 entries/.test(s)), 'client load filled some logs');

    const again = await open(env, link.slice(env.server.url.length));
    await until(async () => (await state(again)).clock === before.clock, 'the replay to reach the same moment', 15_000);
    assert.deepEqual(await state(again), before);
    assert.equal(await playing(again), false, 'a link opens paused at its moment');
    assertClean(page);
    assertClean(again);
  });

  it('names malformed parameters and falls back to sane defaults', async () => {
    const page = await open(env, '?nodes=999&seed=abc&protocol=nope&at=soon');
    const notes = page.getByRole('status').filter({ hasText: 'could not be used' });
    await notes.waitFor();
    const text = await notes.innerText();
    assert.match(text, /nodes=999/);
    assert.match(text, /seed=abc/);
    assert.match(text, /Unknown protocol 'nope'/);
    assert.match(text, /at=soon/);
    assert.equal(await nodes(page).count(), 5);
    assert.match(page.url(), /nodes=5/);
    assertClean(page);
  });

  it('settings start a new run and update the link', async () => {
    const page = await open(env, '?seed=11');
    const nodesField = page.getByRole('spinbutton', { name: 'Nodes' });
    await nodesField.fill('7');
    await nodesField.press('Tab');
    await until(async () => (await nodes(page).count()) === 7, 'seven nodes');
    assert.match(page.url(), /nodes=7/);
    await page.getByRole('checkbox', { name: /vote_ignores_log/ }).check();
    await until(async () => /bugs=vote_ignores_log/.test(page.url()), 'the bug toggle in the link');
    await page.getByRole('spinbutton', { name: 'Nodes' }).fill('99');
    await page.getByRole('spinbutton', { name: 'Nodes' }).press('Tab');
    await page.locator('.status', { hasText: 'nodes=99' }).waitFor();
    assert.equal(await nodes(page).count(), 7, 'a refused value keeps the run');
    assertClean(page);
  });

  it('embed=1 shows the ring and playback only', async () => {
    const page = await open(env, '?embed=1', { viewport: { width: 480, height: 560 } });
    assert.equal(await nodes(page).count(), 5);
    assert.ok(await page.locator('.controls .play').isVisible());
    assert.equal(await page.locator('aside').count(), 0, 'no side panels');
    assert.equal(await page.getByRole('heading', { name: 'Inspector' }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: /^Logs/ }).count(), 0);
    assert.ok(await page.getByRole('link', { name: 'Open full page' }).isVisible());
    assertClean(page);
  });

  it('fits a 360 px wide screen', async () => {
    const page = await open(env, '', { viewport: { width: 360, height: 740 } });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `page is ${width}px wide`);
    await page.locator('#node-1').click();
    const box = await page.locator('#popup-menu').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 360, 'the node menu stays on screen');
    assertClean(page);
  });

  it('?debug=panic shows the error panel', async () => {
    const page = await open(env, '?debug=panic');
    const panel = page.getByRole('alert').filter({ hasText: 'stopped because of an internal error' });
    await panel.waitFor({ timeout: 10_000 });
    assert.match(await panel.innerText(), /debug=panic/);
    const expected = (p) => /panicked|unreachable|RuntimeError/i.test(p);
    assert.ok(page.problems.some(expected), 'the panic is logged to the console');
    assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
  });
});

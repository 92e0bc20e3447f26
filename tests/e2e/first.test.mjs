// First impression: a plain page (no actions, no `at`) shows its first leader (Paxos: its first
// chosen value) within seconds instead of the ~15 s the teaching speed would take, then plays at
// the teaching speed; a one-line hint of what to try goes away with the first action; a visitor
// who prefers reduced motion gets the first leader at once, without fast animation; links with
// actions or `at` replay exactly as before.
//
// Wall-time bounds here are deliberately loose (CI machines are slow): the point is "seconds,
// not 15 s". Speed figures belong to benches/browser.mjs.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, leader, nodeNames, nodes, open, playing, setup, shortcut, until, watchProblems } from './helpers.mjs';

/** Generous bound on the wall time to the first leader (the teaching speed alone takes 13-17 s). */
const FIRST_LEADER_MS = 8_000;

/** Whether the page shows the protocol's first result: a node in the leader role, or (single-decree
 * Paxos, which has no leader) a chosen value in the Cluster panel. */
async function firstResult(page, protocol) {
  if (protocol === 'paxos') {
    const chosen = await page.locator('.summary .summary-facts dt').evaluateAll((dts) =>
      dts.find((dt) => dt.textContent.trim() === 'Chosen')?.nextElementSibling?.querySelector('.fact')?.textContent.trim(),
    );
    return chosen !== undefined && !/^nothing yet/.test(chosen);
  }
  return (await nodeNames(page)).some((n) => /, leader, /.test(n));
}

const hint = (page) => page.getByText(/^Try this: click a node/);

/** Asserts that the run plays at the teaching speed, 1/100×, without a fast start, and that
 * nothing went wrong; then closes the page's context. */
async function assertTeaching(page) {
  assert.equal(await page.locator('.controls .speed-note').count(), 0, 'no fast start (any more)');
  assert.equal(await page.locator('.controls .speed output').innerText(), '1/100×');
  assert.ok(await playing(page));
  assertClean(page);
  await page.context().close();
}

/** Opens `query` in a fresh context with `options` (e.g. reduced motion), recording problems;
 * `start` is the wall time just before the page was asked for. */
async function openFresh(env, query, options = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = watchProblems(env, await context.newPage());
  const start = Date.now();
  await page.goto(`${env.server.url}${query}`);
  await nodes(page).first().waitFor({ timeout: 15_000 });
  return { page, start };
}

describe('first impression', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  for (const protocol of ['raft', 'paxos', 'multipaxos']) {
    it(`the plain ${protocol} page shows its first leader within seconds, then slows down`, async () => {
      const { page, start } = await openFresh(env, `?protocol=${protocol}`);
      const note = page.locator('.controls .speed-note');
      const said = await note.allInnerTexts();
      await until(() => firstResult(page, protocol), 'the first leader', 20_000);
      const took = Date.now() - start;
      assert.ok(took < FIRST_LEADER_MS, `the first leader took ${took} ms of wall time`);
      // The speed control said why it went faster than it shows.
      assert.equal(said.length, 1);
      assert.match(said[0], /^1\/10× until the first (leader|chosen value)$/);
      // Then the teaching speed: the note goes, the control still says 1/100×, still playing.
      await note.waitFor({ state: 'detached' });
      await assertTeaching(page);
    });
  }

  it('shows a hint of what to try until the first action (clicking a node)', async () => {
    const page = await open(env, '?seed=3');
    await hint(page).waitFor();
    assert.ok(await hint(page).isVisible(), 'the hint is visible text');
    await page.locator('#node-2').click();
    await page.getByRole('menu').waitFor();
    await hint(page).waitFor({ state: 'detached' });
    // The first action also ends the fast start.
    assert.equal(await page.locator('.controls .speed-note').count(), 0);
    assertClean(page);
  });

  it('the first keyboard action ends the hint and the fast start too', async () => {
    const page = await open(env, '?seed=4');
    await hint(page).waitFor();
    await shortcut(page, ']');
    await hint(page).waitFor({ state: 'detached' });
    assert.equal(await page.locator('.controls .speed output').innerText(), '1/50×', 'one step up from 1/100×');
    assert.equal(await page.locator('.controls .speed-note').count(), 0);
    assertClean(page);
  });

  it('with reduced motion, the page opens at the first leader without a fast start', async () => {
    const { page } = await openFresh(env, '?seed=5', { reducedMotion: 'reduce' });
    // Already there: no polling needed beyond the first render.
    const l = (await nodeNames(page)).find((n) => /, leader, /.test(n));
    assert.ok(l, `a leader at once: ${(await nodeNames(page)).join('; ')}`);
    await assertTeaching(page);
  });

  it('a link with actions replays exactly as before: paused at its moment, no fast start', async () => {
    const page = await open(env, '?seed=7');
    const l = await leader(page, { timeout: 20_000 });
    await page.locator(`#node-${l.id}`).click();
    await page.getByRole('menuitem', { name: 'Crash' }).click();
    await shortcut(page, 'k');
    assert.equal(await playing(page), false);
    const link = new URL(page.url());
    assert.ok(link.searchParams.get('a'), 'the crash is in the link');
    const names = await nodeNames(page);
    const clock = await page.locator('.controls .clock').innerText();

    const again = await open(env, link.search);
    assert.equal(await playing(again), false, 'opens paused');
    assert.deepEqual(await nodeNames(again), names);
    assert.equal(await again.locator('.controls .clock').innerText(), clock);
    assert.equal(await again.locator('.controls .speed-note').count(), 0, 'no fast start');
    await shortcut(again, 'k');
    assert.ok(await playing(again));
    assert.equal(await again.locator('.controls .speed-note').count(), 0, 'still none when played');
    assertClean(page);
    assertClean(again);
  });

  it('an embed gets the fast start but no hint', async () => {
    const page = await open(env, '?embed=1&seed=3', { viewport: { width: 480, height: 560 } });
    assert.equal(await hint(page).count(), 0, 'no hint in an embed');
    await until(async () => (await nodeNames(page)).some((n) => /, leader, /.test(n)), 'a leader', FIRST_LEADER_MS);
    assertClean(page);
  });
});

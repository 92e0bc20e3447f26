// Faults beyond crashes, from the page: a paused Raft leader is replaced and steps down when it
// resumes; a one-way cut and a slow link are drawn on the ring, each in its own way.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, faster, leader, nodeNames, open, parseNode, setup, until } from './helpers.mjs';

describe('faults', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('a leader paused longer than the election timeout is replaced, and steps down on resuming', async () => {
    const page = await open(env, '?seed=11&nodes=5');
    await faster(page);
    const old = await leader(page);
    await page.locator(`#node-${old.id}`).click();
    await page.getByRole('menuitem', { name: /^Pause for 1 s/ }).click();
    const frozen = await until(async () => {
      const n = (await nodeNames(page)).map(parseNode).find((x) => x.id === old.id);
      return n.paused && n;
    }, 'the leader to be shown paused');
    assert.equal(frozen.role, 'leader', 'a paused node still believes it leads');

    // While it is frozen, the others elect a new leader in a higher term.
    const next = await leader(page, { above: old.term });
    assert.notEqual(next.id, old.id);
    const during = (await nodeNames(page)).map(parseNode).find((x) => x.id === old.id);
    assert.ok(during.paused, 'the new leader came while the old one was still paused');

    // On resuming it hears the higher term and steps down.
    const after = await until(async () => {
      const n = (await nodeNames(page)).map(parseNode).find((x) => x.id === old.id);
      return !n.paused && n.role === 'follower' && n;
    }, 'the old leader to resume as a follower');
    assert.ok(after.term >= next.term, `term ${after.term} after resuming, new leader's ${next.term}`);
    assert.equal(await page.locator('.invariants li.bad').count(), 0, 'no invariant is violated');
    assertClean(page);
  });

  it('a one-way cut and a slow link are drawn on the ring, each in its own way', async () => {
    const page = await open(env, '?seed=3&nodes=5');
    const linkMenu = async (a, b) => {
      await page.locator(`#node-${a}`).click();
      await page.getByRole('menuitem', { name: 'Cut or restore a link…' }).click();
      await page.getByRole('menuitem', { name: `Link to Node ${b}: one way, slow…` }).click();
    };
    await linkMenu(1, 2);
    await page.getByRole('menuitem', { name: 'Cut one way: Node 2 stops hearing Node 1' }).click();
    const oneway = page.locator('svg.ring g.oneway[data-oneway="1-2"]');
    await oneway.waitFor({ state: 'attached' });
    assert.equal(await page.locator('svg.ring g.cut').count(), 0, 'not drawn as a cut link');

    await linkMenu(1, 3);
    await page.getByRole('menuitem', { name: /^Slow down Node 1 → Node 3/ }).click();
    const slow = page.locator('svg.ring g.slow[data-slow="1-3"]');
    await slow.waitFor({ state: 'attached' });
    assert.match(await slow.locator('text').textContent(), /\d+–\d+ ms/);
    // In the space-time diagram, messages over the slowed direction have arrows of their own.
    await page.locator('.st g.ar.slow').first().waitFor({ state: 'attached', timeout: 20_000 });
    const stroke = (loc) => loc.locator('path.line').evaluate((el) => getComputedStyle(el).stroke);
    assert.notEqual(await stroke(oneway), await stroke(slow), 'told apart by colour');

    // The network panel says so, and offers to undo each.
    const state = page.locator('.network .net-state');
    await state.filter({ hasText: 'One way: Node 2 does not hear Node 1.' }).waitFor();
    assert.match(await state.innerText(), /Slow: 1 → 3 takes \d+(\.\d+)?–\d+(\.\d+)? ms\./);
    await page.getByRole('button', { name: 'Restore link 1 → 2' }).waitFor();
    await page.getByRole('button', { name: 'Normal speed 1 → 3' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Heal network' }).isEnabled(), true);

    // The link's menu says what is going on.
    await linkMenu(2, 1);
    await page.getByText('One way: Node 2 does not hear Node 1; Node 1 still hears Node 2.').waitFor();
    await page.keyboard.press('Escape');
    assertClean(page);
  });
});

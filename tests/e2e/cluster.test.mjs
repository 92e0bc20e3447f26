// The cluster on the ring: nodes load with accessible names, a leader emerges, the leader can be
// crashed with the keyboard alone and a new one takes over, and a message can be dropped.

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
  parseNode,
  playing,
  setup,
  shortcut,
  until,
} from './helpers.mjs';

describe('cluster', () => {
  let env;
  let page;
  before(async () => {
    env = await setup();
    page = await open(env);
  });
  after(async () => env?.close());

  it('loads from /blog/raft/ and shows 5 nodes with accessible names', async () => {
    assert.match(page.url(), /\/blog\/raft\/\?/);
    assert.equal(await nodes(page).count(), 5);
    const names = (await nodeNames(page)).map(parseNode);
    assert.deepEqual(
      names.map((n) => n.id),
      [1, 2, 3, 4, 5],
    );
    for (const n of names) assert.ok(['follower', 'candidate', 'leader'].includes(n.role), n.role);
    // The URL now carries the run (with its seed), so a reload replays it.
    assert.match(page.url(), /seed=\d+/);
    assert.ok(await playing(page), 'a fresh page plays');
    assertClean(page);
  });

  it('elects a leader', async () => {
    await faster(page);
    const l = await leader(page);
    assert.ok(l.term >= 1);
    await page.getByRole('heading', { name: 'Invariants' }).waitFor();
    assert.equal(await page.locator('.invariants li.bad').count(), 0, 'no invariant is violated');
    assertClean(page);
  });

  it('crashes the leader with the keyboard alone, and a new leader takes over', async () => {
    const old = await leader(page);
    // Tab through the page until the leader's node has focus.
    await page.evaluate(() => document.activeElement?.blur?.());
    let focused = '';
    for (let i = 0; i < 80 && !focused.startsWith(`Node ${old.id}, leader`); i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
    }
    assert.ok(focused.startsWith(`Node ${old.id}, leader`), `focus reached the leader (got "${focused}")`);
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu');
    await menu.waitFor();
    const item = await page.evaluate(() => [document.activeElement?.getAttribute('role'), document.activeElement?.textContent]);
    assert.deepEqual(item, ['menuitem', 'Crash'], 'focus moved to the menu’s first action');
    assert.ok(await page.getByRole('menuitem', { name: 'Restart' }).isDisabled(), 'Restart is unavailable on a running node');
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached' });
    await until(
      async () => (await nodeNames(page)).some((n) => n.startsWith(`Node ${old.id}, crashed, term `)),
      'the old leader to show as crashed',
    );
    const fresh = await leader(page, { above: old.term });
    assert.notEqual(fresh.id, old.id);
    assert.ok(fresh.term > old.term);
    assert.match(page.url(), /[?&]a=/, 'the crash is recorded in the link');
    assertClean(page);
  });

  it('drops a message through its control', async () => {
    // Slow down so that messages stay on the wire long enough, then pause with one in flight.
    await shortcut(page, '[');
    await shortcut(page, '[');
    let id = null;
    await until(async () => {
      if (!(await playing(page))) await shortcut(page, 'k');
      await messages(page).first().waitFor({ timeout: 10_000 });
      await shortcut(page, 'k');
      if ((await messages(page).count()) === 0) return false;
      id = await messages(page).first().getAttribute('id');
      return id;
    }, 'a message in flight');
    const msg = page.locator(`#${id}`);
    const name = await msg.getAttribute('aria-label');
    assert.match(name, /^\w+ from Node \d+ to Node \d+/);
    await msg.focus();
    // Keyboard focus shows the message's "why" above it.
    const tip = page.locator('.ring-wrap .msg-tip');
    await until(async () => tip.isVisible(), 'the tip of the focused message');
    assert.ok((await tip.textContent()).length > 3, 'the tip says something');
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor();
    await page.getByRole('menuitem', { name: 'Drop' }).click();
    await until(async () => (await page.locator(`#${id}`).count()) === 0, 'the message to disappear');
    const number = id.replace('msg-', '');
    await until(
      async () => (await page.locator('#announcer').innerText()).includes(`Dropped message #${number}`),
      'the drop to be announced',
    );
    assert.ok((await page.locator('.lost').count()) >= 1, 'a lost mark is drawn');
    assertClean(page);
  });

  it('opens the keyboard help with ? and closes it with Escape; the inspector shows a node', async () => {
    await shortcut(page, '?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    assert.match(await help.innerText(), /Play \/ pause/);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    await page.locator('#node-1').click();
    await page.getByRole('menu').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
    const inspector = page.locator('.inspector');
    assert.match(await inspector.innerText(), /Node 1, \w+, term \d+/);
    assert.match(await inspector.innerText(), /currentTerm/);
    assertClean(page);
  });
});

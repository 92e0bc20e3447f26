// Controls drawn in SVG act on a click dispatched to the control element itself, as a screen
// reader's or voice control's activation does (no pointer position, no key press).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, messages, open, playing, setup, until } from './helpers.mjs';

describe('activation', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('a click dispatched to a message control or a node opens its menu', async () => {
    // Play until messages are on the wire, then pause so they stay put.
    const page = await open(env, '?seed=5&nodes=5');
    await until(async () => (await messages(page).count()) > 0, 'a message in flight');
    await page.locator('.controls .play').click();
    await until(async () => !(await playing(page)) && (await messages(page).count()) > 0, 'paused with a message in flight');
    const dot = messages(page).first();
    const name = await dot.getAttribute('aria-label');
    await dot.evaluate((el) => el.dispatchEvent(new MouseEvent('click', { bubbles: true })));
    const drop = page.getByRole('menuitem', { name: 'Drop' });
    await drop.waitFor();
    assert.ok(name.length > 0);
    await page.keyboard.press('Escape');
    await drop.waitFor({ state: 'detached' });

    await page.locator('#node-2').evaluate((el) => el.dispatchEvent(new MouseEvent('click', { bubbles: true })));
    await page.getByRole('menuitem', { name: 'Crash' }).waitFor();
    assertClean(page);
  });
});

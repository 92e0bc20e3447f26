// Controls drawn in SVG act on a click dispatched to the control element itself, as a screen
// reader's or voice control's activation does (no pointer position, no key press).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, messages, open, setup } from './helpers.mjs';

describe('activation', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('a click dispatched to a message control or a node opens its menu', async () => {
    // Paused 0.8 s into a run: heartbeats are on the wire.
    const page = await open(env, '?seed=5&nodes=5&at=800000');
    const dot = messages(page).first();
    await dot.waitFor({ state: 'attached' });
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

// Chaos mode from the page: the Chaos switch (keyboard reachable) injects faults that the event
// log, the timeline and the invariant panel mark as chaos's, and the shared link replays the very
// same run; chaos= in a link starts it, a bad rate is named, and an embed takes setChaos.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, faster, nodeNames, open, playing, setup, shortcut, until, watchProblems } from './helpers.mjs';

/** The event log's lines marked as chaos's, newest first. */
const chaosLines = (page) =>
  page.locator('.ev-list .ev.chaos').evaluateAll((els) => els.map((e) => e.innerText.replace(/\s+/g, ' ')));

/** What a visitor sees of the run: the event log, the node names, the clock and the invariants. */
async function state(page) {
  return {
    log: await page.locator('.ev-list').innerText(),
    nodes: await nodeNames(page),
    clock: await page.locator('.controls .clock').innerText(),
    invariants: await page.locator('.invariants h2').innerText(),
  };
}

describe('chaos mode', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('the Chaos switch injects marked faults and the link replays the same run', async () => {
    const page = await open(env, '?seed=5&nodes=5&load=5');
    await faster(page);
    const chaos = page.getByRole('switch', { name: 'Chaos' });
    assert.equal(await chaos.getAttribute('aria-checked'), 'false');
    // From the keyboard: type the rate, Tab back to the switch, Space.
    const rate = page.getByRole('textbox', { name: 'Faults per virtual second' });
    await rate.fill('40');
    await rate.press('Enter');
    await rate.press('Shift+Tab');
    assert.equal(await chaos.evaluate((el) => el === document.activeElement), true, 'the switch takes focus');
    await page.keyboard.press('Space');
    await until(async () => (await chaos.getAttribute('aria-checked')) === 'true', 'chaos to switch on');
    assert.equal(await rate.inputValue(), '40');

    // Faults arrive, each marked as chaos's in the log and on the timeline.
    const lines = await until(async () => {
      const l = await chaosLines(page);
      return l.length >= 4 && l;
    }, 'chaos faults in the event log');
    for (const line of lines) assert.match(line, /chaos Chaos: (Crashed|Restarted|Paused|Partitioned|Cut one way|Latency|Healed)/);
    const mark = page.locator('.tl-mark.chaos').first();
    await mark.waitFor({ state: 'attached' });
    assert.match(await mark.getAttribute('aria-label'), /^(Chaos: [A-Z][^:]+|\d+ milestones from )/);
    await page.getByText('bolt = chaos').waitFor();
    await until(
      async () => /under \d+ injected faults?/.test(await page.locator('.invariants h2').innerText()),
      'the invariant panel to count injected faults',
    );

    // Paused, the address bar is the run's link: one recorded action (chaos on), not the faults.
    await shortcut(page, 'k');
    assert.equal(await playing(page), false);
    const link = await until(async () => {
      const u = page.url();
      return /[?&]at=\d+/.test(u) && u;
    }, 'the paused link');
    const actions = new URL(link).searchParams.get('a');
    assert.match(actions, /^[0-9a-z]+\.[0-9a-z]+\.k[0-9a-z]+$/, `one SetChaos action: ${actions}`);
    await until(async () => (await chaosLines(page)).length >= 4, 'the paused log');
    const before = await state(page);

    const again = await open(env, link.slice(env.server.url.length));
    await until(async () => (await state(again)).clock === before.clock, 'the replay to reach the same moment', 15_000);
    await until(async () => (await state(again)).log === before.log, 'the same event log', 10_000).catch(() => {});
    assert.deepEqual(await state(again), before, 'the link replays the same faults');
    assert.equal(await again.getByRole('switch', { name: 'Chaos' }).getAttribute('aria-checked'), 'true');

    // Switching it off stops the faults.
    await again.getByRole('switch', { name: 'Chaos' }).click();
    assert.equal(await again.getByRole('switch', { name: 'Chaos' }).getAttribute('aria-checked'), 'false');
    await again.locator('.ev-list .ev.action', { hasText: 'Chaos off' }).waitFor();
    const off = await again.evaluate(() => location.search);
    assert.match(new URLSearchParams(off).get('a'), /\.k0$/, 'switching off is recorded too');
    assertClean(page);
    assertClean(again);
  });

  it('chaos= in a link starts chaos at once, and a bad rate is named', async () => {
    const page = await open(env, '?seed=2&nodes=3&chaos=25');
    await faster(page, 5);
    const chaos = page.getByRole('switch', { name: 'Chaos' });
    assert.equal(await chaos.getAttribute('aria-checked'), 'true');
    assert.equal(await page.getByRole('textbox', { name: 'Faults per virtual second' }).inputValue(), '25');
    await until(async () => (await chaosLines(page)).length >= 2, 'faults from the start');

    const bad = await open(env, '?seed=2&chaos=lots');
    await bad.getByText('chaos=lots is not a fault rate from 0 to 1000 faults per virtual second').waitFor();
    assert.equal(await bad.getByRole('switch', { name: 'Chaos' }).getAttribute('aria-checked'), 'false');
    // A bad rate typed into the page is refused with a sentence, and chaos stays off.
    await bad.getByRole('textbox', { name: 'Faults per virtual second' }).fill('-3');
    await bad.getByRole('textbox', { name: 'Faults per virtual second' }).press('Enter');
    await bad.getByRole('switch', { name: 'Chaos' }).click();
    await bad.getByText('chaos=-3 is not a fault rate from 0 to 1000 faults per virtual second').first().waitFor();
    assert.equal(await bad.getByRole('switch', { name: 'Chaos' }).getAttribute('aria-checked'), 'false');
    assertClean(page);
    assertClean(bad);
  });

  it('an embedding page switches chaos on with setChaos', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = watchProblems(env, await context.newPage());
    await page.goto(env.server.url + 'embed-example.html');
    const log = () => page.locator('#event-log li').allInnerTexts();
    await until(async () => (await log()).some((l) => l.startsWith('five: ready ')), 'the embed to start');
    const post = (message) =>
      page.evaluate((m) => document.getElementById('embed-a').contentWindow.postMessage(m, '*'), message);
    const command = (name, args) => ({ source: 'quorumscope', type: 'command', command: name, ...args });
    await post(command('setChaos', { rate: 'lots', id: 'bad' }));
    await until(
      async () => (await log()).some((l) => /^five: error setChaos #bad: setChaos needs rate, faults per virtual second/.test(l)),
      'a bad rate to be refused',
    );
    await post(command('setSpeed', { speed: 0.1, id: 'fast' }));
    await post(command('setChaos', { rate: 50, id: 'on' }));
    await until(async () => (await log()).includes('five: ack setChaos #on'), 'the ack');
    // Faults follow: some node is crashed or paused on the embed's ring before long.
    const frame = page.frameLocator('#embed-a');
    await until(async () => {
      const names = await frame.locator('svg.ring').getByRole('button', { name: /^Node \d+, / })
        .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      return names.some((n) => /crashed|paused/.test(n));
    }, 'a fault injected by chaos', 20_000);
    assertClean(page);
  });
});

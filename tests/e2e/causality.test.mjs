// Logical clocks on the space-time diagram: clicking an arrow's end selects that event and
// highlights its causal past and future (shapes and line styles, counted in the readout);
// the clock control labels events with Lamport timestamps or vector clocks; the ShiViz log
// downloads and its lines match the regular expression it starts with.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { assertClean, open, setup, sliderTime, until } from './helpers.mjs';

/** The page-coordinate centre of a delivered arrow's head inside the diagram, right of its middle. */
async function arrowHead(page) {
  await page.locator('.st-plot').scrollIntoViewIfNeeded();
  const plot = await page.locator('.st-plot').boundingBox();
  const heads = await page.locator('.st-layer .ar:not(.fly):not(.drop) .hd').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }),
  );
  const inside = heads.filter((h) => h.x > plot.x + plot.width * 0.3 && h.x < plot.x + plot.width * 0.8 && h.y > plot.y + 20);
  assert.ok(inside.length > 0, `a delivered arrow in view (of ${heads.length})`);
  return inside[Math.floor(inside.length / 2)];
}

const SELECTED =
  /Selected event: Node (\d+) receives \w+ from Node \d+ at [^,]+, Lamport timestamp (\d+), vector clock \[([\d,]+)\]\. In view: (\d+) events? in its causal past \(solid lines, squares\), (\d+) events? in its causal future \(dashed lines, diamonds\), (\d+) events? concurrent with it \(hollow circles\)/;

describe('logical clocks', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('clicking an event highlights its causal past and future and says so; Escape lets go', async () => {
    const page = await open(env, '?seed=11&nodes=3&load=20&at=900000');
    const t = await sliderTime(page);
    const head = await arrowHead(page);
    await page.mouse.click(head.x, head.y);
    const readout = page.locator('#st-readout');
    await until(async () => SELECTED.test(await readout.innerText()), 'the readout to describe the selected event');
    const m = SELECTED.exec(await readout.innerText());
    const [past, future, concurrent] = [m[4], m[5], m[6]].map(Number);
    assert.equal(m[3].split(',').length, 3, 'a component per node');
    assert.equal(await sliderTime(page), t, 'selecting an event does not seek');
    assert.equal(await page.locator('.st.causal').count(), 1, 'the other arrows step back');
    assert.equal(await page.locator('.st .causal .cs').count(), 1, 'the event itself is ringed');
    // Each event in view is marked by how it stands to the selected one, and counted.
    assert.equal(await page.locator('.st .causal .cp').count(), past);
    assert.equal(await page.locator('.st .causal .cf').count(), future);
    assert.equal(await page.locator('.st .causal .cc').count(), concurrent);
    assert.ok(past > 0, 'a delivery has at least its send in its past');
    assert.ok((await page.locator('.st .causal .cpl').count()) > 0, 'the message that brought it is drawn as past');

    // Clicking away from any event still seeks.
    const plot = page.getByRole('slider', { name: 'Moment on the space-time diagram' });
    const box = await plot.boundingBox();
    await plot.click({ position: { x: Math.round(box.width * 0.1), y: 4 } });
    await until(async () => (await sliderTime(page)) < t, 'a click elsewhere to seek');

    // Escape lets go of the event.
    await plot.focus();
    await page.keyboard.press('Escape');
    await page.locator('.st.causal').waitFor({ state: 'detached' });

    // With the keyboard: Enter for a cursor, Space selects the event nearest it.
    await plot.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press(' ');
    await until(async () => /Selected event: Node \d+ (sends|receives)/.test(await readout.innerText()), 'Space to select an event');
    assert.equal(await page.locator('.st .causal .cs').count(), 1);
    // Page Down and Page Up step from event to event, cursor and selection together.
    const words = async () => /Selected event: [^.]*/.exec(await readout.innerText())?.[0];
    const first = await words();
    const cursor = Number(await plot.getAttribute('aria-valuenow'));
    await page.keyboard.press('PageUp');
    await until(async () => (await words()) && (await words()) !== first, 'Page Up to select the event before');
    assert.ok(Number(await plot.getAttribute('aria-valuenow')) <= cursor, 'the cursor stepped back with it');
    await page.keyboard.press('PageDown');
    await until(async () => (await words()) === first, 'Page Down to come back');
    assert.equal(await page.locator('.st .causal .cs').count(), 1);
    assertClean(page);
    await page.context().close();
  });

  it('labels events with Lamport timestamps or vector clocks, as the link says', async () => {
    const page = await open(env, '?seed=11&nodes=3&load=20&at=900000');
    assert.equal(await page.locator('.st .clk text').count(), 0, 'no labels by default');
    const choice = page.getByLabel('Logical clocks');
    await choice.selectOption('vector');
    const labels = page.locator('.st .clk text');
    await until(async () => (await labels.count()) > 0, 'vector labels');
    for (const text of await labels.allTextContents()) assert.match(text, /^\[\d+,\d+,\d+\]$/);
    assert.match(page.url(), /[?&]clocks=vector(&|$)/);
    // The cursor's readout gives the clocks of the messages near it.
    const plot = page.getByRole('slider', { name: 'Moment on the space-time diagram' });
    await plot.focus();
    await page.keyboard.press('Enter');
    await until(
      async () => /Vector clocks: send \[[\d,]+\]/.test(await page.locator('#st-readout').innerText()),
      'clocks in the readout',
    );
    await page.keyboard.press('Escape');

    const lamport = await open(env, '?seed=11&nodes=3&load=20&at=900000&clocks=lamport');
    assert.equal(await lamport.getByLabel('Logical clocks').inputValue(), 'lamport');
    const numbers = lamport.locator('.st .clk text');
    await until(async () => (await numbers.count()) > 0, 'Lamport labels');
    for (const text of await numbers.allTextContents()) assert.match(text, /^\d+$/);
    assertClean(page);
    assertClean(lamport);
    await page.context().close();
    await lamport.context().close();
  });

  it('the ShiViz log downloads, headed by the regular expression its lines match', async () => {
    const page = await open(env, '?protocol=paxos&seed=3&at=700000');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      page.getByRole('button', { name: 'Download ShiViz log' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^quorumscope-paxos-seed3\.shiviz\.log$/);
    const text = await readFile(await download.path(), 'utf8');
    const lines = text.split('\n');
    assert.equal(lines[0], '(?<host>\\S+) (?<clock>\\{[^}]*\\}) (?<event>.*)');
    assert.equal(lines[1], '', 'no delimiter between executions');
    const re = new RegExp(`^${lines[0]}$`);
    const own = new Map();
    const events = lines.slice(2).filter((l) => l !== '');
    assert.ok(events.length > 20, `${events.length} events`);
    for (const line of events) {
      const m = re.exec(line);
      assert.ok(m, `parsed: ${line}`);
      const clock = JSON.parse(m.groups.clock);
      const mine = clock[m.groups.host];
      assert.equal(mine, (own.get(m.groups.host) ?? 0) + 1, `own clock grows by one: ${line}`);
      own.set(m.groups.host, mine);
      assert.match(m.groups.event, /: (send|receive) \w+ #\d+ (to|from) node\d+/);
    }
    assertClean(page);
    await page.context().close();
  });
});

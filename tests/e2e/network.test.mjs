// The network, drawn by the visitor: a partition drawn with a lasso (mouse drag) and with the
// keyboard, messages lost at the cut, healing; single links cut and restored from the node
// menu and from a drawn link; the latency/loss sliders (one action per release, and one per
// keyboard adjustment); focus and Escape in the partition editor; the cluster size; and the
// automatic pause while the page is hidden.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, faster, open, parseNode, playing, setup, shortcut, until } from './helpers.mjs';

/** The node controls on the ring (other panels may name nodes too). */
const ringNodes = (page) => page.locator('svg.ring').getByRole('button', { name: /^Node \d+, / });

/** Accessible names of the ring's nodes, in order. */
const ringNames = (page) => ringNodes(page).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));

/** Waits for a leader on the ring and returns it. */
const ringLeader = (page, above = -1) =>
  until(
    async () => (await ringNames(page)).map(parseNode).find((n) => n.role === 'leader' && n.term > above),
    `a leader with a term above ${above}`,
  );

/** The network panel's one-sentence state. */
const netState = (page) => page.locator('.network .net-state').innerText();

/** Number of recorded actions in the page's link. */
async function actionCount(page) {
  const a = new URL(page.url()).searchParams.get('a');
  return a ? a.split('~').length : 0;
}

/** Centre of an element's box. */
async function centre(locator) {
  const b = await locator.boundingBox();
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/**
 * Drags a closed loop with the mouse around the nodes `ids` (neighbours on the ring), starting
 * outside the ring where no message can be.
 */
async function lasso(page, ids) {
  const ring = await page.locator('svg.ring').boundingBox();
  const c = { x: ring.x + ring.width / 2, y: ring.y + ring.height / 2 };
  const angles = [];
  for (const id of ids) {
    const p = await centre(page.locator(`#node-${id} .body`));
    angles.push(Math.atan2(p.y - c.y, p.x - c.x));
  }
  const r = (ring.width / 400) * 142;
  const lo = Math.min(...angles) - 0.3;
  const hi = Math.max(...angles) + 0.3;
  const at = (a, k) => ({ x: c.x + Math.cos(a) * r * k, y: c.y + Math.sin(a) * r * k });
  const points = [];
  for (let i = 0; i <= 8; i++) points.push(at(lo + ((hi - lo) * i) / 8, 1.3));
  for (let i = 8; i >= 0; i--) points.push(at(lo + ((hi - lo) * i) / 8, 0.55));
  points.push(at(lo, 1.3));
  await page.mouse.move(points[0].x, points[0].y);
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(p.x, p.y, { steps: 4 });
  await page.mouse.up();
}

describe('network', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('draws a partition with a lasso, loses messages at the cut, and heals', async () => {
    const page = await open(env, '?seed=3&nodes=5');
    await faster(page);
    await ringLeader(page);
    await shortcut(page, 'k');
    await page.getByRole('button', { name: 'Partition…' }).click();
    await page.getByRole('checkbox', { name: 'Node 1' }).waitFor();
    await lasso(page, [1, 2]);
    await until(
      async () => (await page.locator('#node-1').getAttribute('aria-pressed')) === 'true',
      'the lasso to put Node 1 on side B',
    );
    for (const [id, b] of [[1, true], [2, true], [3, false], [4, false], [5, false]]) {
      assert.equal(await page.getByRole('checkbox', { name: `Node ${id}` }).isChecked(), b, `Node ${id} on side B: ${b}`);
    }
    assert.ok((await page.locator('.ring .sides.draft .wall').count()) >= 2, 'the draft shows its walls');
    const before = await actionCount(page);
    await page.getByRole('button', { name: 'Apply partition' }).click();
    await until(async () => /Partitioned: \{1, 2\} \| \{3, 4, 5\}/.test(await netState(page)), 'the partition');
    assert.equal(await actionCount(page), before + 1, 'the partition is recorded in the link');
    assert.equal(await page.getByRole('checkbox', { name: 'Node 1' }).count(), 0, 'the drawing mode closed');
    // The sides get a background and walls; cut pairs are dashed lines with a gap.
    assert.equal(await page.locator('.ring .sides.now .side').count(), 2);
    assert.equal(await page.locator('.ring .sides.now .wall').count(), 2);
    assert.equal(await page.locator('.ring .cut').count(), 6);
    await shortcut(page, 'k');
    await page.locator('.ring .lost[data-reason="partition"]').first().waitFor({ timeout: 20_000 });
    const title = await page.locator('.ring .lost[data-reason="partition"] title').first().textContent();
    assert.match(title, /from Node \d to Node \d lost: partition/);

    await page.getByRole('button', { name: 'Heal network' }).click();
    await until(async () => (await netState(page)) === 'The network is whole.', 'the network to heal');
    assert.equal(await page.locator('.ring .sides').count(), 0);
    assert.equal(await page.locator('.ring .cut').count(), 0);
    assert.equal(await actionCount(page), before + 2);
    assertClean(page);
  });

  it('draws a partition with the keyboard alone and heals it', async () => {
    const page = await open(env, '?seed=4&nodes=5');
    const press = async (locator, key) => {
      await locator.focus();
      await page.keyboard.press(key);
    };
    await press(page.getByRole('button', { name: 'Partition…' }), 'Enter');
    await press(page.getByRole('checkbox', { name: 'Node 4' }), 'Space');
    await press(page.getByRole('checkbox', { name: 'Node 5' }), 'Space');
    assert.ok(await page.getByRole('checkbox', { name: 'Node 5' }).isChecked());
    // A node on the ring toggles its side with Enter while drawing (instead of opening its menu).
    await press(page.locator('#node-3'), 'Enter');
    assert.equal(await page.locator('#node-3').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.getByRole('menu').count(), 0);
    await press(page.locator('#node-3'), 'Enter');
    assert.equal(await page.locator('#node-3').getAttribute('aria-pressed'), 'false');
    await press(page.getByRole('button', { name: 'Apply partition' }), 'Enter');
    await until(async () => /Partitioned: \{1, 2, 3\} \| \{4, 5\}/.test(await netState(page)), 'the partition');
    assert.match(page.url(), /[?&]a=[^&]*\.p00011/, 'the partition is in the link');
    await press(page.getByRole('button', { name: 'Heal network' }), 'Enter');
    await until(async () => (await netState(page)) === 'The network is whole.', 'the network to heal');
    assertClean(page);
  });

  it('replays a drawn partition from its link', async () => {
    const page = await open(env, '?seed=5&nodes=5');
    await page.getByRole('button', { name: 'Partition…' }).click();
    await page.getByRole('checkbox', { name: 'Node 5' }).check();
    await page.getByRole('button', { name: 'Apply partition' }).click();
    await until(async () => /Partitioned/.test(await netState(page)), 'the partition');
    const again = await open(env, new URL(page.url()).search);
    await until(async () => /Partitioned: \{1, 2, 3, 4\} \| \{5\}/.test(await netState(again)), 'the replayed partition');
    assert.equal(await again.locator('.ring .sides.now .wall').count(), 2);
    assertClean(page);
    assertClean(again);
  });

  it('cuts and restores single links from the node menu and from a drawn link', async () => {
    const page = await open(env, '?seed=6&nodes=5');
    await shortcut(page, 'k');
    await page.locator('#node-1').click();
    await page.getByRole('menuitem', { name: 'Cut or restore a link…' }).click();
    await page.getByRole('menu', { name: 'Links of Node 1' }).waitFor();
    await page.getByRole('menuitem', { name: 'Cut link to Node 2' }).click();
    await until(async () => /Cut links: 1–2\./.test(await netState(page)), 'the cut link');
    const cut = page.locator('.ring .cut.own[data-cut="1-2"]');
    assert.equal(await cut.count(), 1, 'the cut link is drawn');
    assert.equal(await cut.locator('.scissors').count(), 1, 'with scissors');
    assert.match(await cut.locator('path').first().getAttribute('d'), /M.*L.*M.*L/, 'with a gap');

    // Node 1 is selected now: its links are drawn, and clicking one opens the link's menu.
    await page.keyboard.press('Escape');
    await page.locator('.ring line.link[data-link="1-3"]').click();
    await page.getByRole('menu', { name: 'Link between Node 1 and Node 3' }).waitFor();
    await page.getByRole('menuitem', { name: 'Cut this link' }).click();
    await until(async () => /Cut links: 1–2, 1–3\./.test(await netState(page)), 'the second cut link');

    // The keyboard way back: the node menu's link list.
    await page.locator('#node-1').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Cut or restore a link…' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Restore link to Node 3' }).waitFor();
    await page.getByRole('menuitem', { name: 'Restore link to Node 3' }).focus();
    await page.keyboard.press('Enter');
    await until(async () => /Cut links: 1–2\./.test(await netState(page)), 'link 1–3 restored');
    await page.getByRole('button', { name: 'Restore link 1–2' }).click();
    await until(async () => (await netState(page)) === 'The network is whole.', 'every link restored');
    assert.equal(await actionCount(page), 4);
    assertClean(page);
  });

  it('sliders set latency, loss and duplication once per release', async () => {
    const page = await open(env, '?seed=8&nodes=3');
    const loss = page.getByRole('slider', { name: 'Loss' });
    // Paused, so that the panels above keep their height and the slider stays where it was
    // measured while the mouse drags it.
    if (await playing(page)) await shortcut(page, 'k');
    await until(async () => !(await playing(page)), 'the run to pause');
    await loss.scrollIntoViewIfNeeded();
    const before = await actionCount(page);
    // Drag across the slider: many input events, one action on release.
    const box = await loss.boundingBox();
    await page.mouse.move(box.x + 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 12 });
    assert.equal(await actionCount(page), before, 'nothing is recorded while dragging');
    await page.mouse.up();
    await until(async () => (await actionCount(page)) === before + 1, 'one action on release');
    const value = Number(await loss.inputValue());
    assert.ok(value > 5 && value < 60, `loss ${value}%`);
    assert.equal(await loss.locator('xpath=following-sibling::output').innerText(), `${value} %`);
    // The keyboard: End and Home.
    await loss.focus();
    await page.keyboard.press('Home');
    await until(async () => (await loss.inputValue()) === '0', 'loss back to 0');
    const dup = page.getByRole('slider', { name: 'Duplication' });
    await dup.focus();
    await page.keyboard.press('ArrowRight');
    await until(async () => (await dup.inputValue()) === '1', 'duplication 1%');
    // Latency: raising the minimum above the maximum raises the maximum too.
    const min = page.getByRole('slider', { name: 'Latency min' });
    await min.focus();
    await page.keyboard.press('End');
    await until(async () => (await page.getByRole('slider', { name: 'Latency max' }).inputValue()) === '200', 'max follows min');
    assert.equal(await min.inputValue(), '200');
    assert.equal(await actionCount(page), before + 4);
    assert.match(page.url(), /[?&]a=.*\.n/, 'network actions are in the link');
    assertClean(page);
  });

  it('the keyboard in the partition editor: focus moves in on Enter, Escape closes it and focus returns', async () => {
    const page = await open(env, '?seed=4&nodes=5');
    const start = page.getByRole('button', { name: 'Partition…' });
    await start.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('checkbox', { name: 'Node 1' }).waitFor();
    const active = () => page.evaluate(() => {
      const a = document.activeElement;
      return a ? `${a.tagName.toLowerCase()}${a.id ? '#' + a.id : ''}${a.type === 'checkbox' ? ':checkbox' : ''}` : 'none';
    });
    assert.equal(await active(), 'input:checkbox', 'focus is in the editor');
    await page.keyboard.press('Space');
    await page.keyboard.press('Escape');
    await until(async () => (await page.getByRole('checkbox', { name: 'Node 1' }).count()) === 0, 'the editor to close');
    await until(async () => (await active()) === 'button#partition-start', 'focus back on Partition…');
    assert.equal(await netState(page), 'The network is whole.', 'Escape applies nothing');
    // Cancel and Apply give focus back too.
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await until(async () => (await active()) === 'button#partition-start', 'focus back after Cancel');
    assertClean(page);
  });

  it('arrow keys on a slider record one action per adjustment, not per key press', async () => {
    const page = await open(env, '?seed=8&nodes=3');
    if (await playing(page)) await shortcut(page, 'k');
    await until(async () => !(await playing(page)), 'the run to pause');
    const loss = page.getByRole('slider', { name: 'Loss' });
    const before = await actionCount(page);
    await loss.focus();
    for (let i = 0; i < 15; i++) await page.keyboard.press('ArrowRight');
    assert.equal(await loss.inputValue(), '15');
    assert.equal(await loss.getAttribute('aria-valuetext'), '15 %', 'the announced value follows the keys');
    assert.equal(await loss.locator('xpath=following-sibling::output').innerText(), '15 %');
    await until(async () => (await actionCount(page)) === before + 1, 'one action after the key presses pause');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await actionCount(page), before + 1, 'fifteen presses, one action');
    assert.equal(await loss.inputValue(), '15', 'the slider keeps its value');
    // Enter records at once; so does leaving the slider.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    // Sooner than the pause that would record it anyway.
    await until(async () => (await actionCount(page)) === before + 2, 'Enter to record the adjustment', 600);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Tab');
    await until(async () => (await actionCount(page)) === before + 3, 'leaving the slider records it');
    assert.equal(await loss.inputValue(), '16');
    assertClean(page);
  });

  it('cluster size 1 to 25 from the settings; out of range is refused', async () => {
    const page = await open(env, '?seed=9');
    const size = page.getByRole('spinbutton', { name: 'Nodes' });
    await size.fill('25');
    await size.press('Tab');
    await until(async () => (await ringNodes(page).count()) === 25, '25 nodes');
    await size.fill('1');
    await size.press('Tab');
    await until(async () => (await ringNodes(page).count()) === 1, 'one node');
    assert.ok(await page.getByRole('button', { name: 'Partition…' }).isDisabled(), 'one node cannot be partitioned');
    await size.fill('26');
    await size.press('Tab');
    await page.locator('.status', { hasText: 'nodes=26' }).waitFor();
    assert.equal(await ringNodes(page).count(), 1);
    assertClean(page);
  });

  it('pauses while the page is hidden and resumes only a run that was playing', async () => {
    const page = await open(env, '?seed=10');
    assert.ok(await playing(page));
    const setHidden = (hidden) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await until(async () => !(await playing(page)), 'the run to pause when hidden');
    await setHidden(false);
    await until(async () => playing(page), 'the run to resume when shown');
    // Paused by the visitor: stays paused.
    await shortcut(page, 'k');
    await setHidden(true);
    await setHidden(false);
    await page.waitForTimeout(300);
    assert.equal(await playing(page), false, 'a paused run stays paused');
    assertClean(page);
  });
});

// The ring's layout as a visitor sees it: a node's menu opens beside its node, inside the
// viewport, with every item visible (desktop and a 360 px phone, Raft and Paxos); at 25 nodes
// no label, crown or node overlaps another; the legend explains the shapes.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, leader, open, playing, setup, shortcut, until } from './helpers.mjs';

/** Pauses the run (so that nothing moves while boxes are measured). */
async function pause(page) {
  if (await playing(page)) await shortcut(page, 'k');
  await until(async () => !(await playing(page)), 'the run to pause');
}

const overlap = (a, b, slack = 0.5) =>
  a.x < b.x + b.width - slack && b.x < a.x + a.width - slack && a.y < b.y + b.height - slack && b.y < a.y + a.height - slack;

/**
 * Opens node `id`'s menu with the keyboard and checks where it is: inside the viewport, not
 * over its node, next to it, and every item fully visible (the topmost element at its centre).
 */
async function checkMenu(page, id) {
  const node = page.locator(`#node-${id}`);
  await node.scrollIntoViewIfNeeded();
  await node.focus();
  await page.keyboard.press('Enter');
  const menu = page.locator('#popup-menu');
  await menu.waitFor();
  const got = await page.evaluate((id) => {
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    };
    const menu = document.getElementById('popup-menu');
    const items = [...menu.querySelectorAll('[role=menuitem]')].map((el) => {
      const r = el.getBoundingClientRect();
      const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return { name: el.textContent, box: box(el), visible: el === top || el.contains(top) };
    });
    return {
      menu: box(menu),
      node: box(document.getElementById(`node-${id}`)),
      viewport: { width: document.documentElement.clientWidth, height: document.documentElement.clientHeight },
      items,
    };
  }, id);
  const { menu: m, node: n, viewport: v } = got;
  const where = `node ${id}: menu ${JSON.stringify(m)}, node ${JSON.stringify(n)}`;
  assert.ok(m.x >= 0 && m.y >= 0 && m.x + m.width <= v.width && m.y + m.height <= v.height, `inside the viewport: ${where}`);
  assert.ok(!overlap(m, n), `not over its node: ${where}`);
  const gapX = Math.max(n.x - (m.x + m.width), m.x - (n.x + n.width), 0);
  const gapY = Math.max(n.y - (m.y + m.height), m.y - (n.y + n.height), 0);
  assert.ok(gapX <= 24 && gapY <= 24, `beside its node: ${where}`);
  assert.ok(got.items.length >= 4, 'the menu has its items');
  for (const item of got.items) {
    const b = item.box;
    assert.ok(b.y >= 0 && b.y + b.height <= v.height, `${item.name} inside the viewport (${where})`);
    assert.ok(item.visible, `${item.name} is visible, not covered or scrolled away (${where})`);
  }
  await page.keyboard.press('Escape');
  await until(async () => (await page.locator('#popup-menu').count()) === 0, 'the menu to close');
}

describe('ring layout', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('opens a node menu beside its node, inside the viewport, every item visible (desktop, Raft)', async () => {
    const page = await open(env, '?protocol=raft&nodes=5&seed=3');
    await pause(page);
    for (const id of [1, 2, 3, 4, 5]) await checkMenu(page, id);
    assertClean(page);
  });

  it('does the same on a 360 px phone for Paxos, whose menu is the longest', async () => {
    const page = await open(env, '?protocol=paxos&nodes=5&seed=3', { viewport: { width: 360, height: 640 } });
    await pause(page);
    for (const id of [1, 2, 3, 4, 5]) await checkMenu(page, id);
    assertClean(page);
  });

  it('at 25 nodes no label, crown or node overlaps another, and the legend explains the shapes', async () => {
    const page = await open(env, '?protocol=raft&nodes=25&seed=3');
    await leader(page);
    await pause(page);
    await until(async () => (await page.locator('.node .crown').count()) >= 1, 'a crown');
    const boxes = await page.evaluate(() =>
      [...document.querySelectorAll('svg.ring .node')].flatMap((g) =>
        ['.body', '.crown', '.label']
          .map((sel) => [sel, g.querySelector(sel)])
          .filter(([, el]) => el)
          .map(([sel, el]) => {
            const r = el.getBoundingClientRect();
            return { node: g.id, what: sel.slice(1), text: el.textContent, x: r.x, y: r.y, width: r.width, height: r.height };
          }),
      ),
    );
    assert.equal(boxes.filter((b) => b.what === 'label').length, 25);
    const clashes = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        // A node's own crown sits on its own circle by design.
        if (a.node === b.node && a.what !== 'label' && b.what !== 'label') continue;
        if (overlap(a, b)) clashes.push(`${a.what} of ${a.node} (${a.text}) / ${b.what} of ${b.node} (${b.text})`);
      }
    }
    assert.deepEqual(clashes, [], 'overlapping boxes');
    // Labels say only the number here; the legend gives each shape's role.
    assert.equal(await page.locator('#node-21 .label').textContent(), '21');
    const legend = await page.locator('#ring-legend').innerText();
    for (const role of ['follower', 'candidate', 'leader', 'term']) assert.match(legend, new RegExp(role));
    assertClean(page);
  });

  it('names the role next to the node where there is room', async () => {
    const page = await open(env, '?protocol=raft&nodes=5&seed=3');
    assert.match(await page.locator('#node-1 .label').textContent(), /^1 · (follower|candidate|leader)$/);
    assertClean(page);
  });
});

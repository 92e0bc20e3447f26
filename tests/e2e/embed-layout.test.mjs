// The embed's layout in a blog's column: the app's own "Copy embed code" snippet, pasted into a
// page as wide as a phone, a tablet or a desktop column, shows the whole embed (ring, playback
// buttons, sliders) inside its frame; so does the example blog post on a phone. Share and
// "Open full page" inside an embed give the full page's link, not the bare embed layout.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, open, setup, until, watchProblems } from './helpers.mjs';

/** What must be fully visible inside an embed's frame. */
const MUST_SHOW = {
  'Play/Pause': '.controls .play',
  'Step back': '.controls [aria-label="Step back"]',
  Step: '.controls [aria-label="Step"]',
  'speed slider': '.controls .speed input[type="range"]',
  speed: '.controls .speed output',
  'time slider': '.controls .time input[type="range"]',
  clock: '.controls .clock',
  ring: 'svg.ring',
  Share: '.bar .share button',
  'Open full page': '.bar a.button',
  'Keyboard shortcuts': '#help-button',
};

/** Boxes of MUST_SHOW's elements inside `frame`, with the frame's viewport and content size. */
function measure(frame) {
  return frame.evaluate((wanted) => {
    const boxes = {};
    for (const [name, selector] of Object.entries(wanted)) {
      const el = document.querySelector(selector);
      const r = el?.getBoundingClientRect();
      boxes[name] = r ? { left: r.left, top: r.top, right: r.right, bottom: r.bottom } : null;
    }
    const doc = document.documentElement;
    return {
      width: innerWidth,
      height: innerHeight,
      scrollWidth: doc.scrollWidth,
      scrollHeight: doc.scrollHeight,
      boxes,
    };
  }, MUST_SHOW);
}

/** Asserts that every element of MUST_SHOW is inside the frame's viewport and nothing scrolls. */
function assertFits(m, where) {
  const cut = Object.entries(m.boxes)
    .filter(([, b]) => !b || b.left < -0.5 || b.top < -0.5 || b.right > m.width + 0.5 || b.bottom > m.height + 0.5)
    .map(([name, b]) => `${name} ${JSON.stringify(b && Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Math.round(v)])))}`);
  assert.deepEqual(cut, [], `${where}: cut off in a ${m.width}×${m.height} frame`);
  assert.ok(m.scrollHeight <= m.height + 1, `${where}: content ${m.scrollHeight}px tall in a ${m.height}px frame`);
  assert.ok(m.scrollWidth <= m.width + 1, `${where}: content ${m.scrollWidth}px wide in a ${m.width}px frame`);
  const ring = m.boxes.ring;
  const side = Math.min(ring.right - ring.left, ring.bottom - ring.top);
  assert.ok(side >= 0.55 * Math.min(m.width, m.height), `${where}: the ring is only ${Math.round(side)}px`);
}

/** Waits until the embed in `frame` has drawn its nodes. */
const started = (frame) => frame.locator('svg.ring [id^="node-"]').first().waitFor({ timeout: 20_000 });

describe('embed layout', () => {
  let env;
  let snippet;
  before(async () => {
    env = await setup();
    const page = await open(env, '?seed=31&nodes=5');
    await page.getByRole('button', { name: 'Copy embed code' }).click();
    snippet = await page.getByRole('textbox', { name: 'Embed code' }).inputValue();
    assert.match(snippet, /^<iframe [^>]*style="[^"]*aspect-ratio/);
    assertClean(page);
    await page.context().close();
  });
  after(async () => env?.close());

  for (const width of [300, 360, 768, 1200]) {
    it(`the embed code's frame shows the whole embed in a ${width} px column`, async () => {
      const context = await env.browser.newContext({ viewport: { width, height: 900 } });
      const page = watchProblems(env, await context.newPage());
      // A bare blog page: the column is the page's width; the snippet exactly as copied.
      await page.setContent(
        `<!doctype html><meta name="viewport" content="width=device-width"><body style="margin:0">${snippet}</body>`,
      );
      const frame = page.frameLocator('iframe');
      await started(frame);
      const inner = page.frames().find((f) => f !== page.mainFrame());
      const m = await measure(inner);
      assert.equal(m.width, width);
      assert.equal(m.height, Math.round((width * 5) / 4));
      assertFits(m, `snippet at ${width}px`);
      assertClean(page);
      await context.close();
    });
  }

  it('the example blog post fits a phone: both embeds show their controls', async () => {
    const context = await env.browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = watchProblems(env, await context.newPage());
    await page.goto(env.server.url + 'embed-example.html');
    for (const id of ['embed-a', 'embed-b']) {
      await page.locator(`#${id}`).scrollIntoViewIfNeeded();
      await started(page.frameLocator(`#${id}`));
      const inner = await (await page.$(`#${id}`)).contentFrame();
      assertFits(await measure(inner), `embed-example.html #${id}`);
    }
    assertClean(page);
    await context.close();
  });

  it('Share and "Open full page" in an embed give the full page, not the embed layout', async () => {
    const page = await open(env, '?protocol=raft&nodes=3&seed=32&embed=1&id=post', {
      viewport: { width: 360, height: 450 },
    });
    const full = await page.getByRole('link', { name: 'Open full page' }).getAttribute('href');
    await page.getByRole('button', { name: 'Share' }).click();
    await page.locator('.share-status', { hasText: 'Link copied' }).waitFor();
    const shared = await page.getByRole('textbox', { name: 'Link to this moment' }).inputValue();
    for (const [what, link] of [
      ['Open full page', full],
      ['Share', shared],
    ]) {
      const url = new URL(link);
      assert.equal(url.origin + url.pathname, env.server.url, `${what}: the app's own address`);
      assert.equal(url.searchParams.get('embed'), null, `${what} keeps embed=1: ${link}`);
      assert.equal(url.searchParams.get('id'), null, `${what} keeps the embed's id: ${link}`);
      assert.equal(url.searchParams.get('seed'), '32', `${what}: the same run`);
      assert.equal(url.searchParams.get('nodes'), '3', `${what}: the same run`);
    }
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shared);
    // The shared link opens the whole page, with its panels.
    const opened = await open(env, shared.slice(env.server.url.length));
    await until(async () => (await opened.locator('aside.side').count()) === 1, 'the side panels');
    assert.equal(await opened.locator('.app.embed').count(), 0);
    assertClean(page);
    assertClean(opened);
  });

  it("an embed's own address keeps its id when the page rewrites it", async () => {
    const page = await open(env, '?protocol=raft&nodes=3&seed=32&embed=1&id=post', {
      viewport: { width: 360, height: 450 },
    });
    // The page writes the run into its address (seed, then the moment when paused).
    await page.getByRole('button', { name: /^Pause\b/ }).click();
    await until(async () => new URL(page.url()).searchParams.get('at') !== null, 'the address to be rewritten');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('id'), 'post', `the id is kept: ${page.url()}`);
    assert.equal(url.searchParams.get('embed'), '1');
    assertClean(page);
  });
});

// Sharing a run: export a trace and import it back (the same run), a damaged file is refused
// with a message at the top of the page and the current run is kept, the picture saved as a standalone SVG, the
// embed code, and a 360 px wide screen with nothing cut off.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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

/** Clicks `button` and returns the text of the file it downloads. */
async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

/** The trace export button (in the events panel). */
const exportButton = (page) => page.getByRole('button', { name: /(download|export|save) trace/i }).first();

/** Imports `text` as a file named `name` through the page's file input. */
async function importText(page, name, text) {
  await page.getByLabel('Import a trace').setInputFiles({ name, mimeType: 'application/jsonl', buffer: Buffer.from(text) });
}

/** Whether `locator`'s element is inside the viewport, and above the ring (at the top of the page). */
async function atTop(page, locator) {
  const [box, ring] = [await locator.boundingBox(), await page.locator('svg.ring').boundingBox()];
  const { height } = page.viewportSize();
  return box.y >= 0 && box.y + box.height <= height && box.y < ring.y;
}

/** What a visitor sees of the run: node names, log strips, and the moment in the link. */
async function state(page) {
  return {
    nodes: await ringNames(page),
    logs: await page.locator('.logs .strip').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))),
    at: new URL(page.url()).searchParams.get('at'),
    seed: new URL(page.url()).searchParams.get('seed'),
  };
}

/** Elements whose visible part sticks out of the viewport (what clipping ancestors hide is not counted). */
function overflowing(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      let left = r.left;
      let right = r.right;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') {
          const c = a.getBoundingClientRect();
          left = Math.max(left, c.left);
          right = Math.min(right, c.right);
        }
      }
      if (right <= left) continue;
      if (left < -0.5 || right > width + 0.5) {
        const name = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`;
        out.push(`${name} [${Math.round(left)}, ${Math.round(right)}]`);
      }
    }
    return { width, scroll: document.documentElement.scrollWidth, out };
  });
}

describe('sharing', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  let exported;

  it('exports the trace and imports it back into the same run', async () => {
    const page = await open(env, '?seed=21&nodes=3&load=10');
    await faster(page);
    await ringLeader(page);
    await page.waitForTimeout(500);
    await shortcut(page, 'k');
    await shortcut(page, '.');
    assert.equal(await playing(page), false);
    const before = await state(page);
    exported = await download(page, exportButton(page));
    assert.match(exported.name, /\.jsonl$/);
    assert.match(exported.text.split('\n')[0], /"format":"quorumscope-trace"/);

    const other = await open(env, '?seed=99&nodes=5');
    await importText(other, exported.name, exported.text);
    const lines = exported.text.trim().split('\n').length;
    const status = other.locator('.status', { hasText: /Imported \d+ events/ });
    await status.waitFor();
    assert.match(await status.innerText(), new RegExp(`Imported \\d+ events from ${exported.name.replace('.', '\\.')}`));
    assert.equal(await playing(other), false, 'an imported run opens paused at its end');
    assert.deepEqual(await state(other), before, 'same nodes, terms, logs and time');
    assert.match(other.url(), /seed=21/);
    // Exporting the imported run gives back the very same file.
    const again = await download(other, exportButton(other));
    assert.equal(again.text, exported.text);
    assert.ok(lines > 10);
    assertClean(page);
    assertClean(other);
  });

  it('refuses a damaged or foreign file with a message and keeps the current run', async () => {
    const page = await open(env, '?seed=22&nodes=5');
    await shortcut(page, 'k');
    const before = { ...(await state(page)), url: page.url() };
    const lines = exported.text.trim().split('\n');
    const k = lines.findIndex((l, i) => i > 5 && /"from":\d/.test(l));
    lines[k] = lines[k].replace(/"from":(\d+)/, (_, d) => `"from":${d === '1' ? 2 : 1}`);
    // The visitor is down at the Files panel when they import.
    await page.getByLabel('Import a trace').scrollIntoViewIfNeeded();
    await importText(page, 'edited.jsonl', lines.join('\n'));
    const alert = page.getByRole('alert').filter({ hasText: 'edited.jsonl was not imported' });
    await alert.waitFor();
    assert.match(await alert.innerText(), new RegExp(`Line ${k + 1} does not match the replay`));
    // Said at the top of the page, where a successful import shows its run, and brought into view.
    await until(() => atTop(page, alert), 'the import error at the top of the page, in view');
    assert.equal(await page.locator('aside').getByRole('alert').count(), 0, 'nothing said down in the panels');
    assert.deepEqual({ ...(await state(page)), url: page.url() }, before, 'the current run is untouched');

    await importText(page, 'notes.txt', 'hello, world');
    await page.getByRole('alert').filter({ hasText: 'notes.txt was not imported' }).waitFor();
    assert.match(await page.getByRole('alert').filter({ hasText: 'notes.txt' }).innerText(), /Line 1 is not valid JSON/);
    const v2 = exported.text.replace('"version":1', '"version":2');
    await importText(page, 'future.jsonl', v2);
    await page.getByRole('alert').filter({ hasText: /future\.jsonl.*version 2/ }).waitFor();
    assert.deepEqual({ ...(await state(page)), url: page.url() }, before, 'still untouched');
    // A good file afterwards replaces the run and clears the message.
    await page.getByLabel('Import a trace').scrollIntoViewIfNeeded();
    await importText(page, exported.name, exported.text);
    const imported = page.locator('.status', { hasText: /Imported \d+ events/ });
    await imported.waitFor();
    await until(() => atTop(page, imported), 'the import success at the top of the page, in view');
    assert.equal(await page.getByRole('alert').filter({ hasText: 'was not imported' }).count(), 0);
    assert.match(page.url(), /seed=21/);
    assertClean(page);
  });

  it('saves the picture as a standalone SVG file', async () => {
    const page = await open(env, '?seed=23&nodes=5');
    await page.getByRole('button', { name: 'Split in two' }).click();
    await page.locator('.ring .sides.now').waitFor();
    // Paused with messages on the wire: the picture must show them too (on the page they are
    // painted on a canvas).
    const onWire = page.locator('svg.ring [data-msg]');
    await faster(page, 2);
    await until(async () => {
      if (!(await playing(page))) await shortcut(page, 'k');
      await onWire.first().waitFor({ state: 'attached', timeout: 10_000 });
      await shortcut(page, 'k');
      return (await onWire.count()) > 0;
    }, 'a message on the wire while paused');
    const svg = await download(page, page.getByRole('button', { name: 'Save picture (SVG)' }));
    assert.match(svg.name, /^quorumscope-raft-seed23-\d+ms\.svg$/);
    assert.match(svg.text, /^<\?xml/);
    assert.match(svg.text, /<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg.text, /<svg[^>]*width="800"/);
    assert.doesNotMatch(svg.text, /var\(--/, 'CSS variables are resolved');
    assert.match(svg.text, /style="fill:rgb/, 'styles are inline');
    assert.match(svg.text, /1 · \w+/, 'node labels are there');
    assert.match(svg.text, /class="wall"/, 'the partition is there');
    assert.match(svg.text, /<circle[^>]*data-msg="\d+"[^>]*style="fill:rgb/, 'messages in flight are painted');
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, root: doc.documentElement.localName };
    }, svg.text);
    assert.deepEqual(parsed, { error: null, root: 'svg' });
    assertClean(page);
  });

  it('copies an embed code for the current run', async () => {
    const page = await open(env, '?seed=24&nodes=3');
    await faster(page);
    const l = await ringLeader(page);
    await page.locator(`#node-${l.id}`).click();
    await page.getByRole('menuitem', { name: 'Crash' }).click();
    await page.getByRole('button', { name: 'Copy embed code' }).click();
    await page.locator('.share-status', { hasText: 'Embed code copied' }).waitFor();
    const code = await page.getByRole('textbox', { name: 'Embed code' }).inputValue();
    assert.match(code, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/blog\/raft\/\?[^"]+" /);
    assert.match(code, / loading="lazy"/);
    assert.match(code, / title="QuorumScope: Raft simulation"/);
    assert.match(code, / style="width:100%;aspect-ratio:[\d/ ]+;border:0"/);
    const src = /src="([^"]+)"/.exec(code)[1].replaceAll('&amp;', '&');
    const params = new URL(src).searchParams;
    assert.equal(params.get('embed'), '1');
    assert.equal(params.get('seed'), '24');
    assert.match(params.get('a') ?? '', /\.c\d/, 'the crash is in the embedded link');
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(clip, code);
    const embedded = await open(env, src.slice(env.server.url.length), { viewport: { width: 480, height: 600 } });
    assert.equal(await embedded.locator('.app.embed').count(), 1);
    assert.equal(await embedded.locator('aside').count(), 0);
    assertClean(page);
    assertClean(embedded);
  });

  it('fits a 360 px wide screen: nothing is cut off', async () => {
    const page = await open(env, '?seed=25&nodes=7', { viewport: { width: 360, height: 740 } });
    await page.getByRole('button', { name: 'Partition…' }).click();
    await page.getByRole('checkbox', { name: 'Node 7' }).check();
    await page.screenshot({ fullPage: true });
    let r = await overflowing(page);
    assert.ok(r.scroll <= 360, `document is ${r.scroll}px wide`);
    assert.deepEqual(r.out, [], 'elements stick out of the viewport');

    await page.getByRole('button', { name: 'Copy embed code' }).click();
    await page.getByRole('textbox', { name: 'Embed code' }).waitFor();
    await page.screenshot();
    r = await overflowing(page);
    assert.ok(r.scroll <= 360, `document is ${r.scroll}px wide with the embed code open`);
    assert.deepEqual(r.out, []);

    const embed = await open(env, '?seed=25&embed=1', { viewport: { width: 360, height: 460 } });
    await embed.screenshot();
    r = await overflowing(embed);
    assert.ok(r.scroll <= 360, `embed is ${r.scroll}px wide`);
    assert.deepEqual(r.out, []);
    assertClean(page);
    assertClean(embed);
  });
});

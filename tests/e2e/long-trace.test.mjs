// A long run's trace: 25 nodes under heavy client load, opened 30 virtual seconds in, make a
// trace larger than the longest string Chromium's JavaScript engine can hold (about 512 MiB),
// which used to come out as an empty file with no message. The page builds the file in slices;
// when the browser will not hold the whole file (Chromium's private windows keep about 500 MB of
// blobs), it says so, with the file's size and the latest moment whose shorter trace fits; opened
// and saved at that moment, the file downloads whole: it starts with the scenario line, ends with the
// run's last event, and the page says how big it is.
//
// Heavy by design (over a minute and more than 1 GB of memory): it is the only way to prove it.

import assert from 'node:assert/strict';
import { open as openFile, stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { assertClean, setup, watchProblems } from './helpers.mjs';

/** V8's longest string (2^29 − 24 characters). */
const V8_MAX_STRING = 2 ** 29 - 24;

const AT = 30_000_000;
const LINK = `?protocol=raft&nodes=25&seed=5&load=1000&at=${AT}`;

/** The first and the last `n` bytes of the file at `path`. */
async function ends(path, n = 1 << 16) {
  const file = await openFile(path);
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(n, size));
    await file.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(n, size));
    await file.read(tail, 0, tail.length, size - tail.length);
    return { head: head.toString('utf8'), tail: tail.toString('utf8') };
  } finally {
    await file.close();
  }
}

describe('long trace download', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('a trace too big for the browser is refused with its size and a shorter moment; that one downloads whole', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = watchProblems(env, await context.newPage());
    const downloads = [];
    page.on('download', (d) => downloads.push(d));
    await page.goto(env.server.url + LINK);
    // Opening at `at` simulates the first 30 s before the page shows anything.
    await page.locator('svg.ring [id^="node-"]').first().waitFor({ timeout: 300_000 });
    const button = page.getByRole('button', { name: /(download|export|save) trace/i }).first();
    const status = page.locator('.status');

    // The whole run: more than one JavaScript string can hold, and more than this browser keeps.
    await button.click();
    const refused = status.filter({ hasText: /^The trace was not saved/ });
    await refused.waitFor({ timeout: 300_000 });
    const said = await refused.innerText();
    const [, mb] = /at (\d+) MB \(/.exec(said) ?? [];
    assert.ok(Number(mb) * 1e6 > V8_MAX_STRING, `the whole trace is beyond a string's limit: ${said}`);
    assert.match(said, /more than this browser will hold in one file/);
    const [, seconds] = /back to ([\d.]+) s or earlier/.exec(said) ?? [];
    assert.ok(seconds, `the message names a shorter moment: ${said}`);
    assert.equal(downloads.length, 0, 'no broken file offered');

    assertClean(page);
    await page.close();

    // Saved up to the moment it names, the trace downloads whole. (A fresh page: the refused
    // attempt's blobs are released only when the old page's garbage is collected.)
    const t = Math.round(Number(seconds) * 1e6);
    assert.ok(t > 10_000_000 && t < AT, `${t} µs`);
    const shorter = watchProblems(env, await context.newPage());
    await shorter.goto(env.server.url + LINK.replace(`at=${AT}`, `at=${t}`));
    await shorter.locator('svg.ring [id^="node-"]').first().waitFor({ timeout: 300_000 });
    const save = shorter.getByRole('button', { name: /(download|export|save) trace/i }).first();
    const [download] = await Promise.all([shorter.waitForEvent('download', { timeout: 300_000 }), save.click()]);
    const path = await download.path();
    const { size } = await stat(path);
    assert.ok(size > 300e6, `a long trace: ${size} bytes`);

    const { head, tail } = await ends(path);
    const first = JSON.parse(head.slice(0, head.indexOf('\n')));
    assert.equal(first.kind, 'scenario');
    assert.equal(first.format, 'quorumscope-trace');
    assert.match(first.link, /protocol=raft&nodes=25&seed=5&load=1000/);
    assert.ok(tail.endsWith('\n'), 'the file ends with a whole line');
    const last = JSON.parse(tail.trimEnd().split('\n').at(-1));
    assert.ok(last.t <= first.at && last.t > first.at - 1_000, `the last line is the run's last event before ${first.at} µs: ${JSON.stringify(last)}`);

    assert.equal(first.at, t);
    // The page says what it saved and how big it is.
    const saved = shorter.locator('.status').filter({ hasText: /^Saved quorumscope-raft-seed5\.jsonl: / });
    await saved.waitFor();
    assert.match(await saved.innerText(), new RegExp(`: ${Math.round(size / 1e6)} MB, [\\d,]+ lines`));
    assertClean(shorter);
    await context.close();
  });
});

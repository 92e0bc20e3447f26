// Publishing: the folder `.ci/publish` builds (release, relative paths) works from any sub-path
// of a plain static server. The same dist/ the other tests serve from /blog/raft/ is served
// here from a second prefix, as a blog post at /posts/consensus/ would host it: the app and the
// example post start there with every request answered, and the links the app makes point there.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import { assertClean, setup, until, watchProblems } from './helpers.mjs';

const PREFIX = '/posts/consensus/';

describe('publish', () => {
  let env;
  let server;
  before(async () => {
    env = await setup();
    server = await startServer({ prefix: PREFIX });
  });
  after(async () => {
    await server?.close();
    await env?.close();
  });

  /** Opens `path` under the second prefix, recording problems against that server. */
  async function openThere(path) {
    const context = await env.browser.newContext({
      viewport: { width: 1100, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const page = watchProblems({ server }, await context.newPage());
    page.notFound = [];
    page.on('response', (r) => {
      if (r.status() >= 400) page.notFound.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(server.url + path);
    return page;
  }

  it('the built page refers to its files by relative paths', async () => {
    const html = await readFile(new URL('../../dist/index.html', import.meta.url), 'utf8');
    const absolute = [...html.matchAll(/\b(?:href|src|data-js|data-wasm)=["']?(\/[^"'\s>]*)/g)].map((m) => m[1]);
    assert.deepEqual(absolute, [], 'dist/ was built with an absolute public URL: build it as .ci/publish does');
  });

  it(`the app starts under ${PREFIX} with every request answered`, async () => {
    const page = await openThere('?protocol=raft&nodes=5&seed=41');
    await page.locator('svg.ring').getByRole('button', { name: /^Node \d+, / }).first().waitFor({ timeout: 20_000 });
    assert.ok(server.served.some((f) => f.endsWith('.wasm')), 'the wasm came from the second prefix');
    assert.deepEqual(page.notFound, []);
    // The links it makes point to where it is.
    await page.getByRole('button', { name: 'Share' }).click();
    const link = await page.getByRole('textbox', { name: 'Link to this moment' }).inputValue();
    assert.ok(link.startsWith(server.url + '?'), link);
    assertClean(page);
    await page.context().close();
  });

  it(`the example post's embeds start under ${PREFIX}`, async () => {
    const page = await openThere('embed-example.html');
    await until(async () => (await page.locator('#event-log li').allInnerTexts()).some((l) => l.startsWith('five: ready')), 'the first embed ready');
    await until(async () => (await page.locator('#event-log li').allInnerTexts()).some((l) => l.startsWith('three: ready')), 'the second embed ready');
    assert.deepEqual(page.notFound, []);
    assertClean(page);
    await page.context().close();
  });
});

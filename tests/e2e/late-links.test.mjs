// Late moments and bad files: a link past two minutes of virtual time reopens at its moment and
// keeps it in the address, an absurd `at` is named together with the bound, and a trace whose
// export time was edited to an absurd value is refused with a reason while the run is kept.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { assertClean, open, playing, setup, shortcut, until } from './helpers.mjs';

const clock = (page) => page.locator('.controls .clock').innerText();
const notices = (page) => page.getByRole('status').filter({ hasText: 'could not be used' });

describe('late moments', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('a link past two minutes opens at its moment, and its address keeps it', async () => {
    const page = await open(env, '?protocol=raft&nodes=5&seed=5&load=20&at=147007013');
    await until(async () => (await clock(page)).startsWith('147.007 s'), 'the clock at 147.007 s', 20_000);
    assert.equal(await playing(page), false, 'a link opens paused at its moment');
    assert.equal(new URL(page.url()).searchParams.get('at'), '147007013');
    assert.equal(await notices(page).count(), 0, 'nothing to complain about');
    assertClean(page);
  });

  it('an absurd moment is named with the bound, and the rest of the link is used', async () => {
    const page = await open(env, '?protocol=raft&seed=1&at=999999999999');
    await notices(page).waitFor();
    const text = await notices(page).innerText();
    assert.match(text, /at=999999999999/);
    assert.match(text, /24 hours/);
    assert.equal(new URL(page.url()).searchParams.get('seed'), '1', 'the rest of the link is used');
    assertClean(page);
  });

  it('a trace whose export time was edited to an absurd value is refused, the run kept', async () => {
    const page = await open(env, '?seed=22&nodes=5');
    await shortcut(page, 'k');
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /(download|export|save) trace/i }).first().click(),
    ]);
    const text = await readFile(await file.path(), 'utf8');
    const edited = text.replace(/"at":\d+/, '"at":999999999999');
    assert.notEqual(edited, text);
    const before = { clock: await clock(page), url: page.url() };
    await page
      .getByLabel('Import a trace')
      .setInputFiles({ name: 'late.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(edited) });
    const alert = page.getByRole('alert').filter({ hasText: 'late.jsonl was not imported' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /999999999999.*24 hours/);
    assert.deepEqual({ clock: await clock(page), url: page.url() }, before, 'the current run is kept');
    assertClean(page);
  });
});

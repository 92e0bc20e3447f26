// The key–value store's client history in the page, read the way a visitor reads it: the
// history view names a witness when reads served by followers are stale (`mode=raft-follower`)
// and none when every operation goes through the leader's log (`mode=raft`); each operation is a
// button that goes to its moment; the run side by side with another mode has its own history
// and verdict; a leaderless store on skewed clocks loses updates under last-writer-wins and
// returns siblings under version vectors; a Raft leader wears the crown and a leaderless replica
// none; the staleness chart gives its numbers as text.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, open, setup, sliderTime, until } from './helpers.mjs';

/** The time slider's spoken value (`6.402 s`), what the time display shows. */
const timeText = (page) => page.locator('.controls .time input').getAttribute('aria-valuetext');

/** The history panel with element id `id` (`hv`, or `hv-twin` for the run side by side). */
const panel = (page, id = 'hv') => page.locator(`#${id}`);

describe('key–value store: the history view', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('a stale follower read: the sentence names the witness, and going there highlights its operations', async () => {
    const page = await open(env, '?protocol=kvstore&mode=raft-follower&seed=1&at=8000000');
    const verdict = panel(page).locator('.hv-verdict');
    const text = await verdict.innerText();
    assert.match(text, /^Not linearizable on key \w+: no order explains the results? of th/, text);
    // A read is among the operations named (the follower served it stale).
    assert.match(text, /\(.*\br \w+→\S+ by client \d+, [\d.]+ m?s–[\d.]+ m?s, ok/, text);
    await panel(page).getByRole('button', { name: /^Go to .* to see it$/ }).click();
    // The witness's bars are in view, marked in their names (and drawn apart).
    const witness = panel(page).getByRole('button', { name: /; in the witness/ });
    await until(async () => (await witness.count()) > 0, 'the witness on screen');
    assert.ok((await panel(page).getByRole('button', { name: /in the witness, where every order fails/ }).count()) >= 1);
    assert.ok(await witness.first().evaluate((b) => b.classList.contains('wit')));
    assertClean(page);
  });

  it('the same run through the leader: linearizable, with no witness', async () => {
    const page = await open(env, '?protocol=kvstore&mode=raft&seed=1&at=8000000');
    const text = await panel(page).locator('.hv-verdict').innerText();
    assert.match(text, /^Linearizable so far: \d+ operations on \d+ keys?;/, text);
    assert.equal(await panel(page).getByRole('button', { name: /in the witness/ }).count(), 0);
    assert.equal(await panel(page).getByRole('button', { name: /to see it$/ }).count(), 0);
    // Some operation is on screen, with its place in its key's order.
    assert.ok((await panel(page).getByRole('button', { name: /; number \d+ in the order of \w+\. Go to / }).count()) > 0);
    assertClean(page);
  });

  it('clicking an operation (or pressing Enter on it) goes to its moment', async () => {
    const page = await open(env, '?protocol=kvstore&mode=raft&seed=2&at=3000000');
    const ops = panel(page).locator('.hv-op');
    await until(async () => (await ops.count()) > 1, 'operations on screen');
    const first = ops.first();
    const name = await first.getAttribute('aria-label');
    const goes = Number(await first.getAttribute('data-t'));
    const [, said] = /Go to (.+)$/.exec(name);
    assert.notEqual(await timeText(page), said, 'not there yet');
    await first.click();
    await until(async () => (await sliderTime(page)) === goes, `the slider at ${goes} µs`);
    assert.equal(await timeText(page), said, 'the time display says the moment the button named');
    // From the keyboard: another operation (one that goes elsewhere), focused and activated
    // with Enter.
    const times = await panel(page).locator('.hv-op').evaluateAll((bs) => bs.map((b) => Number(b.dataset.t)));
    const i = times.findIndex((t) => t !== goes);
    assert.ok(i >= 0, `an operation that goes elsewhere than ${goes}: ${times}`);
    const other = panel(page).locator('.hv-op').nth(i);
    const to = times[i];
    await other.focus();
    await page.keyboard.press('Enter');
    await until(async () => (await sliderTime(page)) === to, `the slider at ${to} µs`);
    assertClean(page);
  });

  it("side by side with mode=raft-follower: each run has its own history and verdict", async () => {
    const page = await open(env, '?protocol=kvstore&mode=raft&seed=1&vs=mode:raft-follower&at=8000000');
    await page.getByRole('heading', { name: /^Client history, mode = raft-follower/ }).waitFor();
    assert.ok(await page.getByRole('heading', { name: /^Client history, mode = raft \(this run\)/ }).isVisible());
    assert.match(await panel(page).locator('.hv-verdict').innerText(), /^Linearizable so far/);
    assert.match(await panel(page, 'hv-twin').locator('.hv-verdict').innerText(), /^Not linearizable on key/);
    assertClean(page);
  });

  it('timestamps or versions: on skewed clocks last-writer-wins loses updates, version vectors return siblings', async () => {
    const page = await open(env, '?protocol=kvstore&mode=quorum&skew=200&seed=1&vs=reconcile:version-vectors&at=10000000');
    await page.getByRole('heading', { name: /^Client history, reconcile = version-vectors/ }).waitFor();
    const invariants = page.locator('.invariants').first();
    await until(async () => /No Lost Updates/.test(await invariants.innerText()), 'the invariant panel');
    assert.match(await invariants.innerText(), /Node 2 kept y = 50003 \(Node 1's, stamped [\d.]+ ms\) over the later y = 60003 \(Node 2's, which had seen it, stamped [\d.]+ ms\): last-writer-wins lost an update to clock skew/);
    // This run's reads each returned one value, so its history is a register's...
    assert.match(await panel(page).locator('.hv-verdict').innerText(), /^Linearizable so far/);
    // ...while the twin kept concurrent writes and a read returned them both.
    const twin = await panel(page, 'hv-twin').locator('.hv-verdict').innerText();
    assert.match(twin, /^Not linearizable on key [xy]: no order explains the result of this operation \(r [xy]→"\d+\|\d+"/);
    assertClean(page);
  });

  it('a Raft leader wears the crown, a leaderless replica none', async () => {
    const raft = await open(env, '?protocol=kvstore&mode=raft&seed=1&at=3000000');
    await until(async () => (await raft.locator('g.node .crown').count()) === 1, 'one crown');
    assert.match(await raft.locator('g.node:has(.crown)').getAttribute('aria-label'), /^Node \d, leader, term \d+/);
    const quorum = await open(env, '?protocol=kvstore&mode=quorum&seed=1&at=3000000');
    await quorum.getByRole('button', { name: /^Node 1, replica/ }).waitFor();
    assert.equal(await quorum.locator('g.node .crown').count(), 0);
    assertClean(raft);
    assertClean(quorum);
  });

  it('the staleness chart: a named image with its numbers in a table', async () => {
    const page = await open(env, '?protocol=kvstore&mode=raft-follower&seed=1&at=8000000');
    const chart = panel(page).getByRole('img', { name: /^reads that returned the latest acknowledged write \(%\) against ms since that write was acknowledged: <10: / });
    await chart.waitFor();
    const rows = await panel(page).locator('.hv-stale tbody tr').allInnerTexts();
    assert.equal(rows.length, 5, rows.join('\n'));
    // Following reads go stale soon after a write: some bin is under 100 %.
    const shares = rows.map((r) => r.split('\t').at(-1)).filter((s) => s !== '–').map((s) => Number(s.replace(' %', '')));
    assert.ok(shares.some((s) => s < 100), shares.join(', '));
    assertClean(page);
  });
});

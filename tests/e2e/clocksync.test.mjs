// Clock synchronisation in the page, read the way a visitor reads it: the offset chart of
// drifting clocks converging under NTP, an exchange's four timestamps in the event log, a
// fault that steps a clock from its menu, and the replicated register losing an update under
// last-writer-wins where version vectors keep both writes. The scenarios are the ones
// `tests/clocksync.rs` runs natively (same seeds).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, open, setup, until } from './helpers.mjs';

/** Each line of the chart whose accessible name starts with `title`: label → values. */
async function chartLines(page, title) {
  const chart = page.getByRole('img', { name: new RegExp(`^${title}`) });
  return chart.locator('path[data-label]').evaluateAll((paths) =>
    Object.fromEntries(
      paths.map((p) => [
        p.dataset.label,
        p.dataset.values.split(' ').map((v) => (v === '-' ? null : Number(v))),
      ]),
    ),
  );
}

/** Lines of the event log that match `re`. */
async function logLines(page, re) {
  const lines = await page.locator('.ev-list .ev-text').allInnerTexts();
  return lines.filter((l) => re.test(l));
}

/** The clocks' table rows (node → its columns). */
async function clocks(page) {
  const section = page.locator('.kind-table').filter({ has: page.getByRole('heading', { name: 'Clocks', exact: true }) });
  return section.evaluate((s) => {
    const heads = [...s.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    return [...s.querySelectorAll('tbody tr')].map((tr) =>
      Object.fromEntries([...tr.children].map((c, i) => [heads[i], c.textContent.trim()])),
    );
  });
}

/** A signed millisecond figure as the page writes it (`+1.25 ms`, `-0.004 ms`). */
const millis = (text) => Number(text.replace(/ ms$/, '').replace('±', ''));

describe('clock synchronisation', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it("NTP brings every drifting clock's offset on the chart from far off to near zero", async () => {
    const page = await open(env, '?protocol=clocksync&seed=1&algorithm=ntp&at=60000000');
    const lines = await chartLines(page, 'Offset of each clock from true time');
    // The server reads the true time; the four clocks start up to 200 ms off.
    assert.deepEqual(Object.keys(lines).sort(), ['Node 1', 'Node 2', 'Node 3', 'Node 4', 'Node 5']);
    const clockLines = ['Node 2', 'Node 3', 'Node 4', 'Node 5'].map((n) => lines[n].filter((v) => v !== null));
    const first = Math.max(...clockLines.map((v) => Math.abs(v[0])));
    const last = Math.max(...clockLines.map((v) => Math.abs(v.at(-1))));
    assert.ok(first > 20, `the clocks start far off (${first} ms at worst)`);
    assert.ok(last < 5, `and end near the true time (${last} ms at worst)`);
    // The table says the same, with each clock's claim.
    for (const row of await clocks(page)) {
      assert.ok(Math.abs(millis(row['Off true time by'])) < 5, JSON.stringify(row));
      assert.ok(Math.abs(millis(row['Off true time by'])) <= millis(row['Claims within']), JSON.stringify(row));
    }
    // The second chart draws each clock's error under its claimed bound, a pair per clock.
    const bound = await chartLines(page, 'Real error and claimed bound of each clock');
    assert.ok('Node 2 error' in bound && 'Node 2 bound' in bound, Object.keys(bound).join(', '));
    assertClean(page);
  });

  it('Berkeley: the clocks bunch together away from true time, the faulty one left out of every average', async () => {
    const page = await open(env, '?protocol=clocksync&seed=5&algorithm=berkeley&faulty=2&at=60000000');
    const lines = await chartLines(page, 'Offset of each clock from true time');
    const last = (n) => lines[n].filter((v) => v !== null).at(-1);
    const good = ['Node 1', 'Node 2', 'Node 4', 'Node 5'].map(last);
    assert.ok(Math.max(...good) - Math.min(...good) < 10, `the agreeing clocks end within 10 ms: ${good}`);
    // Berkeley claims agreement, not accuracy: no chart of a bound on the true time.
    assert.equal(await page.getByRole('img', { name: /^Real error and claimed bound/ }).count(), 0);
    assert.ok((await logLines(page, /averaged 4 clocks in round \d+, leaving out 1 outlier\(s\), Node 3 first/)).length > 0);
    assertClean(page);
  });

  it("the event log gives an exchange's four timestamps, offset and delay", async () => {
    const page = await open(env, '?protocol=clocksync&seed=1&algorithm=ntp&at=10000000');
    const exchanges = await logLines(page, /^Node \d, exchange #\d+: t1 /);
    assert.ok(exchanges.length > 0, 'exchanges in the log');
    assert.match(
      exchanges[0],
      /^Node \d, exchange #\d+: t1 -?[\d.]+ s, t2 [\d.]+ s, t3 [\d.]+ s, t4 -?[\d.]+ s give offset [+-][\d.]+ ms and delay [\d.]+ ms; trusting exchange #\d+, it corrects its clock by [+-][\d.]+ ms \((step|slew|kept)\), claiming ±[\d.]+ ms$/,
    );
    assertClean(page);
  });

  it("a fault stepped from a clock's menu moves its clock, and Cristian's next exchange brings it back", async () => {
    const page = await open(env, '?protocol=clocksync&seed=2&at=10000000');
    const offsetOf3 = async () => millis((await clocks(page)).find((r) => r.Node === 'Node 3')['Off true time by']);
    const before = await offsetOf3();
    await page.locator('#node-3').click();
    await page.getByRole('menuitem', { name: /^Fault step: 500 ms \(now 0 ms\)$/ }).click();
    await until(async () => (await logLines(page, /^Set Node 3's fault step to 500 ms$/)).length === 1, 'the fault in the event log');
    const jumped = await offsetOf3();
    assert.ok(Math.abs(jumped - before - 500) < 1, `Node 3 went from ${before} to ${jumped} ms`);
    // The link replays the fault; 2.5 s later the clock has synchronised again.
    const link = page.url();
    const later = await open(env, link.slice(link.indexOf('?')).replace(/at=\d+/, 'at=12500000'));
    const row = (await clocks(later)).find((r) => r.Node === 'Node 3');
    assert.ok(Math.abs(millis(row['Off true time by'])) < 20, JSON.stringify(row));
    assertClean(page);
    assertClean(later);
  });

  it('last-writer-wins loses an update to skewed clocks; version vectors keep both writes', async () => {
    const lww = await open(env, '?protocol=clocksync&seed=3&algorithm=none&store=lww&at=10000000');
    const panel = lww.locator('.invariants');
    await until(async () => /No Lost Update/.test(await panel.innerText()), 'the invariant panel');
    assert.match(await panel.innerText(), /last-writer-wins lost an update to clock skew/);
    assert.ok((await logLines(lww, /kept x = \d+ .* over the later x = \d+/)).length > 0, 'the loss in the event log');

    const vv = await open(env, '?protocol=clocksync&seed=3&algorithm=none&store=version-vectors&at=30000000');
    assert.doesNotMatch(await vv.locator('.invariants').innerText(), /lost an update/);
    assert.ok((await logLines(vv, /keeps 2 siblings of x/)).length > 0, 'concurrent writes kept as siblings');
    for (const row of await clocks(vv)) assert.equal(row['Updates lost'], '0', JSON.stringify(row));
    assertClean(lww);
    assertClean(vv);
  });
});

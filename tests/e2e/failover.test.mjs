// Primary–backup failover in the page, driven the way a visitor drives it: open the failover page
// at 2 s, crash, restart or pause the primary from its node menu (by keyboard or click), play, and
// read what the page says — the nodes' names (which one is primary), the event log (the
// manager's suspicions and promotions), the invariant panel, the Cluster panel's suspicion
// tally, the clients' table and the charts. Each scenario is the one `tests/failover.rs` scripts
// natively, with the same seed and moment, so the run is the same whenever the test looks at it.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, nodeNames, open, playing, setup, shortcut, sliderTime, until, watchProblems } from './helpers.mjs';

/** Parses `Node 2, primary, epoch 2` (and `…, paused`); `null` for the manager and clients. */
function replica(name) {
  const m = /^Node (\d+), (primary|backup|joining|removed|crashed), epoch (\d+)(, paused)?$/.exec(name);
  return m && { id: Number(m[1]), role: m[2], epoch: Number(m[3]), paused: Boolean(m[4]) };
}

/** The replicas as the ring names them. */
async function replicas(page) {
  return (await nodeNames(page)).map(replica).filter(Boolean);
}

const primaries = async (page) => (await replicas(page)).filter((r) => r.role === 'primary');

/** Opens the node menu of `id` from the keyboard and activates the item whose name starts with `item`. */
async function menuByKeyboard(page, id, item) {
  await page.locator(`#node-${id}`).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menu').waitFor();
  for (let i = 0; i < 10; i++) {
    const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
    if (focused.startsWith(item)) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no menu item "${item}" in the menu of Node ${id}`);
}

/** Opens the node menu of `id` with the pointer and clicks the item whose name starts with `item`. */
async function menuByClick(page, id, item) {
  await page.locator(`#node-${id}`).click();
  await page.getByRole('menuitem', { name: new RegExp(`^${item}`) }).click();
}

/** Plays at real time: the speed slider's keys (`[` and `]`) until it says 1×. */
async function play(page) {
  const speed = page.locator('.controls input[aria-keyshortcuts="[ ]"]');
  for (let i = 0; i < 15; i++) {
    const now = Number(await speed.inputValue());
    const text = await speed.getAttribute('aria-valuetext');
    if (text === '1× real time') break;
    await shortcut(page, /^1\//.test(text) ? ']' : '[');
    await until(async () => Number(await speed.inputValue()) !== now, 'the speed to change');
  }
  assert.equal(await speed.getAttribute('aria-valuetext'), '1× real time');
  if (!(await playing(page))) await shortcut(page, 'k');
  assert.ok(await playing(page), 'playing');
}

async function pause(page) {
  if (await playing(page)) await shortcut(page, 'k');
  await until(async () => !(await playing(page)), 'the run to pause');
}

/** The event log's lines of one kind (the Kind filter, as a visitor sets it), newest first. */
async function eventLines(page, kind) {
  await until(async () => (await page.locator(`#ev-kind option[value="${kind}"]`).count()) > 0, `the kind "${kind}" in the filter`);
  await page.locator('#ev-kind').selectOption(kind);
  await until(async () => {
    const kinds = await page.locator('.ev-list .ev-kind').allInnerTexts();
    const searching = /still being searched/.test(await page.locator('#ev-hint').innerText());
    return !searching && kinds.length > 0 && kinds.every((k) => k === kind);
  }, `the log filtered to "${kind}" lines`);
  return page.locator('.ev-list .ev-text').allInnerTexts();
}

/** The event log's line of kind `kind` whose text matches `re` (waits for it). */
async function eventLine(page, kind, re) {
  return until(async () => (await eventLines(page, kind)).find((l) => re.test(l)), `a "${kind}" line matching ${re}`);
}

/** The Cluster panel's facts, by label. */
async function cluster(page) {
  return page.locator('.summary .summary-facts').evaluate((dl) =>
    Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent.trim(), dt.nextElementSibling.querySelector('.fact').textContent.trim()])),
  );
}

/** `Suspicions: 1 true, 0 false` as numbers. */
async function suspicions(page) {
  const text = (await cluster(page)).Suspicions;
  const m = /^(\d+) true, (\d+) false$/.exec(text);
  assert.ok(m, `Suspicions: ${text}`);
  return { true: Number(m[1]), false: Number(m[2]) };
}

/** The invariant panel: name → detail of its violation, or null while it holds. */
async function invariants(page) {
  return page.locator('.invariants li').evaluateAll((lis) =>
    Object.fromEntries(
      lis.map((li) => [
        li.querySelector('strong').textContent.trim(),
        li.classList.contains('bad') ? li.querySelector('.detail').textContent.trim() : null,
      ]),
    ),
  );
}

/** The rows of the per-kind table titled `title` ("Clients", "Managers"), keyed by column header. */
async function tableRows(page, title) {
  const section = page.locator('.kind-table').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
  return section.evaluate((s) => {
    const heads = [...s.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    return [...s.querySelectorAll('tbody tr')].map((tr) =>
      Object.fromEntries([...tr.children].map((c, i) => [heads[i], c.textContent.trim()])),
    );
  });
}

const answered = async (page) => (await tableRows(page, 'Clients')).reduce((sum, r) => sum + Number(r.answered), 0);

/** The entry count in a replica's log strip (`Node 1 log: 320 entries, 319 committed`). */
async function logLength(page, id) {
  const label = await page.locator('.logs li.strip').nth(id - 1).getAttribute('aria-label');
  const m = new RegExp(`^Node ${id} log: (\\d+) entries, `).exec(label);
  assert.ok(m, label);
  return Number(m[1]);
}

/** The centre of a node's body on the ring. */
async function centre(page, id) {
  const b = await page.locator(`#node-${id} .body`).boundingBox();
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

const SUSPICION = /^Suspicion of each replica at the manager: chart of each node's level with the threshold at 8 over a sliding second, from 0 s to \d+ s$/;
const LATENCY = /^Client-observed latency: chart of p50, p95 and p99 latency over a sliding second, from 0 s to \d+ s$/;

describe('failover', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('crashing the primary: the manager suspects it, promotes a backup for epoch 2, and writes resume', async () => {
    const page = await open(env, '?protocol=failover&seed=2&at=2000000');
    assert.deepEqual((await nodeNames(page)).slice(0, 4), [
      'Node 1, primary, epoch 1',
      'Node 2, backup, epoch 1',
      'Node 3, backup, epoch 1',
      'Node 4, manager, configuration 1, epoch 1',
    ]);
    // A star: the manager at the centre of the replicas, the clients around it on the same ring.
    const [c1, c2, c3, hub] = await Promise.all([1, 2, 3, 4].map((id) => centre(page, id)));
    const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);
    const radius = dist(hub, c1);
    for (const c of [c2, c3, await centre(page, 5), await centre(page, 6)]) {
      assert.ok(Math.abs(dist(hub, c) - radius) < 0.1 * radius, 'every other node stands around the manager');
    }
    assert.deepEqual(await cluster(page), {
      Primary: 'Node 1 (epoch 1)',
      Manager: 'up; a single point of failure: while it is down nothing fails over',
      Suspicions: '0 true, 0 false',
    });

    await menuByKeyboard(page, 1, 'Crash');
    await until(async () => (await nodeNames(page))[0] === 'Node 1, crashed, epoch 1', 'Node 1 to be shown crashed');
    await play(page);
    const [next] = await until(async () => {
      const p = await primaries(page);
      return p.length === 1 && p[0].id !== 1 && p;
    }, 'a backup to become primary', 60_000);
    assert.equal(next.epoch, 2, 'the promotion starts epoch 2');
    const before = await answered(page);
    await until(async () => (await answered(page)) >= before + 10, 'ten more answered writes after the promotion', 60_000);
    await pause(page);

    // The manager's own checker suspects the silent primary, and that decides the promotion.
    assert.deepEqual(await eventLines(page, 'suspect'), ['Node 4 suspects Node 1']);
    await eventLine(page, 'promote', new RegExp(`^Node 4 promoted Node ${next.id} to primary for epoch 2: it fell silent$`));
    await eventLine(page, 'role', new RegExp(`^Node ${next.id} became primary in epoch 2$`));
    const facts = await cluster(page);
    assert.equal(facts.Primary, `Node ${next.id} (epoch 2)`);
    assert.deepEqual(await suspicions(page), { true: 1, false: 0 }, 'one true suspicion: the crash');
    const detection = Number(/^(\d+(?:\.\d+)?) ms on average \(1 crash(?:es)?\)$/.exec(facts['Crash detection'])?.[1]);
    assert.ok(detection >= 100 && detection < 500, `detected after ${facts['Crash detection']}`);
    const [manager] = await tableRows(page, 'Managers');
    assert.equal(manager.primary, `Node ${next.id}`);
    assert.equal(manager.failed, 'Node 1');
    assert.deepEqual(await invariants(page), { Durability: null, 'Single Primary': null });
    assert.match(await page.locator('.invariants h2').innerText(), /all hold/);

    // The suspicion chart shows Node 1's φ at the top of the scale (twice the threshold) and the
    // others under the threshold line; the latency chart is there too.
    const chart = page.getByRole('img', { name: SUSPICION });
    const latest = async (label) =>
      Number((await chart.locator(`path[data-label="${label}"]`).getAttribute('data-values')).split(' ').at(-1));
    assert.equal(await latest('Node 1'), 16);
    for (const n of [2, 3]) assert.ok((await latest(`Node ${n}`)) < 8, `Node ${n} is trusted`);
    // The threshold is drawn across the chart.
    assert.equal(await chart.locator('line.limit').count(), 1);
    assert.equal(await chart.locator('text.limit').textContent(), 'threshold 8');
    await page.getByRole('img', { name: LATENCY }).waitFor();
    assertClean(page);
  });

  it('restarting the old primary: it rejoins, catches up and takes its role back (failback)', async () => {
    const page = await open(env, '?protocol=failover&seed=3&at=2000000');
    await menuByClick(page, 1, 'Crash');
    await play(page);
    const [interim] = await until(async () => {
      const p = await primaries(page);
      return p.length === 1 && p[0].id !== 1 && p;
    }, 'a backup to become primary', 60_000);
    const before = await answered(page);
    await until(async () => (await answered(page)) >= before + 20, 'writes Node 1 misses while down', 60_000);
    await pause(page);
    const missed = (await logLength(page, interim.id)) - (await logLength(page, 1));
    assert.ok(missed >= 20, `Node 1 misses ${missed} writes`);
    const target = await logLength(page, interim.id);

    await menuByKeyboard(page, 1, 'Restart');
    await until(async () => !(await nodeNames(page))[0].includes('crashed'), 'Node 1 to restart');
    await play(page);
    await until(async () => {
      const r = await replicas(page);
      return r[0].role === 'primary' && r.filter((x) => x.role === 'backup').length === 2;
    }, 'Node 1 to be primary again with two backups', 60_000);
    await pause(page);
    const [r1] = await replicas(page);
    assert.equal(r1.epoch, 3, 'failback is a promotion too: epoch 3');
    assert.ok((await logLength(page, 1)) >= target, 'Node 1 caught up with what it missed');

    await eventLine(page, 'admit', /^Node 4 admitted Node 1: it is heard from again$/);
    await eventLine(page, 'admit', /^Node 4 admitted Node 1: it caught up$/);
    await eventLine(page, 'promote', /^Node 4 promoted Node 1 to primary for epoch 3: failback to the preferred primary$/);
    await eventLine(page, 'role', /^Node 1 became primary in epoch 3$/);
    assert.equal((await cluster(page)).Primary, 'Node 1 (epoch 3)');
    assert.equal((await suspicions(page)).false, 0, 'no running node was taken for failed');
    assert.deepEqual(await invariants(page), { Durability: null, 'Single Primary': null });
    assertClean(page);
  });

  it("a write typed at a backup from its menu is refused, and the event log says why", async () => {
    const page = await open(env, '?protocol=failover&seed=2&at=2000000');
    await menuByKeyboard(page, 2, 'Write');
    const line = await eventLine(page, 'refuse', /^Node 2 is not the primary: it refused the write of /);
    assert.match(line, /^Node 2 is not the primary: it refused the write of [\d.]+$/);
    assert.equal((await nodeNames(page))[1], 'Node 2, backup, epoch 1');
    assertClean(page);
  });

  /** Pauses the primary for a second (a long GC pause) at 2 s under steady writes, and plays on. */
  async function pausePrimary(fencing) {
    const page = await open(env, `?protocol=failover&seed=4&fencing=${fencing}&clients=3&rate=20&at=2000000`);
    await menuByKeyboard(page, 1, 'Pause for 1 s');
    await until(async () => (await nodeNames(page))[0] === 'Node 1, primary, epoch 1, paused', 'Node 1 to be shown paused');
    await play(page);
    return page;
  }

  /** Goes back to the moment the first backup became primary (its event log line) and returns the primaries then. */
  async function atFirstPromotion(page) {
    const line = page
      .locator('.ev-list button.ev')
      .filter({ has: page.locator('.ev-text', { hasText: /^Node [23] became primary in epoch/ }) })
      .last();
    await eventLines(page, 'role');
    const t = Number(await line.getAttribute('data-t'));
    await line.click();
    await until(async () => (await sliderTime(page)) === t, 'the seek to the promotion');
    return primaries(page);
  }

  it('pausing the primary with fencing off: two primaries at once, and the checker flags a lost write', async () => {
    const page = await pausePrimary(0);
    // The page stops at the first violation: the successor acknowledged writes while the
    // paused old primary still holds the role, both of epoch 1 (nothing tells them apart).
    await until(async () => !(await playing(page)), 'the page to stop at a violation', 90_000);
    let broken = await invariants(page);
    assert.equal(broken.Durability, null, 'no write lost yet');
    assert.match(broken['Single Primary'], /^At \d+\.\d{3} s: Node \d and Node \d both acknowledged writes as primary of epoch 1 \(Node \d still holds the role\)$/);
    const both = await primaries(page);
    assert.deepEqual(both.map((p) => [p.id, p.epoch, p.paused]), [
      [1, 1, true],
      [both[1]?.id, 1, false],
    ], 'two nodes named primary at once');
    const s = await suspicions(page);
    assert.equal(s.true, 0, 'nothing crashed');
    assert.ok(s.false >= 1, 'the pause was taken for a crash');
    await eventLine(page, 'promote', new RegExp(`^Node 4 promoted Node ${both[1].id} to primary for epoch 1: (it fell silent|a replica reported it)$`));

    // Played on, the old primary wakes up and overwrites acknowledged writes: the page stops again.
    await shortcut(page, 'k');
    await until(async () => (await invariants(page)).Durability !== null && !(await playing(page)), 'a lost write', 90_000);
    broken = await invariants(page);
    assert.match(broken.Durability, /^At \d+\.\d{3} s: Node \d acknowledged [\d.]+ at position \d+, where [\d.]+ had been acknowledged$/);
    assert.match(await page.locator('.invariants h2').innerText(), /2 violated/);
    assert.ok((await page.locator('.tl-mark.violation').count()) >= 1, 'the violations are marked on the timeline');
    assertClean(page);
  });

  it('the same pause with fencing on: the old primary steps down, nothing is lost, and failback follows', async () => {
    const page = await pausePrimary(1);
    await until(async () => {
      const r = await replicas(page);
      return r[0].role === 'primary' && !r[0].paused && r[0].epoch >= 3;
    }, 'Node 1 to be primary again after the pause', 90_000);
    await pause(page);
    assert.deepEqual(await invariants(page), { Durability: null, 'Single Primary': null });
    assert.match(await page.locator('.invariants h2').innerText(), /all hold/);
    const s = await suspicions(page);
    assert.ok(s.false >= 1, 'the pause was taken for a crash');
    assert.equal(await page.locator('.tl-mark.violation').count(), 0, 'no violation on the timeline');
    // On waking, the deposed primary learnt of the newer epoch and stepped down before its failback.
    await eventLine(page, 'role', /^Node 1 (became (joining|backup) in |is out of the configuration \()epoch [2-9]\)?$/);

    // Back at the promotion: two nodes are named primary, but of different epochs (the fencing token).
    const both = await atFirstPromotion(page);
    assert.deepEqual(both.map((p) => [p.id, p.epoch, p.paused]), [
      [1, 1, true],
      [both[1].id, 2, false],
    ]);
    assertClean(page);
  });
});

describe('the failover page in its own words', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('a plain failover page plays fast until the first primary, and says so', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    // The fast start lasts a fraction of a second here (the first primary comes at some 15 ms of
    // virtual time): every text the speed note ever shows is recorded as the page builds it.
    await context.addInitScript(() => {
      window.speedNotes = [];
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('.controls .speed-note')) {
          if (!window.speedNotes.includes(el.textContent)) window.speedNotes.push(el.textContent);
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    const page = watchProblems(env, await context.newPage());
    await page.goto(`${env.server.url}?protocol=failover`);
    await until(async () => (await primaries(page)).length === 1, 'the first primary', 20_000);
    await page.locator('.controls .speed-note').waitFor({ state: 'detached' });
    assert.deepEqual(await page.evaluate(() => window.speedNotes), ['1/10× until the first primary']);
    assertClean(page);
  });

  it('the timeline names primary changes, the Cluster panel explains its facts, the inspector shows the manager', async () => {
    // The crash of the first test, reopened from its link two seconds later.
    const first = await open(env, '?protocol=failover&seed=2&at=2000000');
    await menuByClick(first, 1, 'Crash');
    await until(async () => new URL(first.url()).searchParams.has('a'), 'the crash in the link');
    const link = new URL(first.url());
    link.searchParams.set('at', '4000000');
    const page = await open(env, link.search);
    await page.locator('.controls .clock').filter({ hasText: /^4\.000 s/ }).waitFor();
    const marks = await page.locator('.tl-mark').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    assert.match(marks[0], /^Primary: Node 1 became primary in epoch 1, at [\d.]+ ms$/);
    assert.ok(marks.some((m) => /^Primary: Node [23] became primary in epoch 2, at /.test(m)), marks.join(' | '));
    assert.match(await page.locator('.tl-legend').innerText(), /^Markers: crown = primary, flag = your action/);
    assert.match(await page.locator('.tl-track').getAttribute('aria-label'), /^Milestones: primary changes, /);

    const why = async (label) =>
      page.locator('.summary .summary-facts dt').filter({ hasText: label }).locator('xpath=following-sibling::dd[1]').locator('.why').innerText();
    assert.match(await why('Suspicions'), /true when it really was down, false when it was running/);
    assert.match(await why('Crash detection'), /after a crash/);
    assert.match(await why('Primary'), /configuration names to take writes/);

    // The inspector shows the manager's configuration, its epoch once.
    await page.locator('.inspector select').selectOption('4');
    const rows = await page.locator('.inspector dl.fields dt').allInnerTexts();
    assert.deepEqual(rows.filter((k) => k === 'epoch'), ['epoch'], rows.join(' | '));
    for (const k of ['configuration', 'primary', 'backups', 'failed']) assert.ok(rows.includes(k), `${k} in ${rows.join(' | ')}`);
    assertClean(first);
    assertClean(page);
  });
});

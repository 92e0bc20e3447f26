// Paxos and Multi-Paxos in the page: the "Cluster" panel shows the chosen value before the
// learners know it, a crashed proposer cannot make two values chosen, a dropped Accept is
// shown as lost, and a new Multi-Paxos leader keeps every committed slot.
//
// Nodes are named `Node 3, acceptor, round 1` here: the protocol's roles and its epoch name
// ("round") instead of Raft's `term`, so this file parses names itself.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertClean,
  faster,
  messages,
  nodeNames,
  open,
  playing,
  setup,
  shortcut,
  until,
} from './helpers.mjs';

/** Parses `Node 3, acceptor, round 1` (any role and epoch name; `crashed` for a crashed node). */
function parseName(name) {
  const m = /^Node (\d+), ([a-z-]+), ([a-z][a-z ]*) (\d+)$/.exec(name);
  assert.ok(m, `unexpected node name: ${name}`);
  return { id: Number(m[1]), role: m[2], epochName: m[3], epoch: Number(m[4]) };
}

const named = async (page) => (await nodeNames(page)).map(parseName);

/** The Cluster panel's facts as `{label: value}` (values without their explanations). */
async function facts(page) {
  return page.locator('.summary .summary-facts').evaluate((dl) => {
    const out = {};
    for (const dt of dl.querySelectorAll('dt')) {
      out[dt.textContent.trim()] = dt.nextElementSibling.querySelector('.fact').textContent.trim();
    }
    return out;
  });
}

/** Every node's log strip: `{id, entries, committed, values}` (`values`: committed commands). */
async function strips(page) {
  const raw = await page.locator('.logs li.strip').evaluateAll((els) =>
    els.map((el) => ({
      label: el.getAttribute('aria-label'),
      titles: [...el.querySelectorAll('.entry')].map((e) => e.getAttribute('title')),
    })),
  );
  return raw.map(({ label, titles }) => {
    const m = /^Node (\d+) log: (\d+) entries, (\d+) committed$/.exec(label);
    assert.ok(m, `unexpected log label: ${label}`);
    const values = titles
      .map((t) => /^#\d+ [a-z ]+ \d+ (\S+), committed$/.exec(t))
      .filter(Boolean)
      .map((x) => x[1]);
    return { id: Number(m[1]), entries: Number(m[2]), committed: Number(m[3]), values };
  });
}

/** Names of the messages in flight on the ring. */
const flights = (page) => messages(page).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));

/** Presses a shortcut and gives the page a moment to draw the result. */
async function key(page, k) {
  await shortcut(page, k);
  await page.waitForTimeout(40);
}

async function pause(page) {
  if (await playing(page)) await shortcut(page, 'k');
  await until(async () => !(await playing(page)), 'the run to pause', 5_000);
}

async function play(page) {
  if (!(await playing(page))) await shortcut(page, 'k');
  await until(() => playing(page), 'the run to play', 5_000);
}

/** Plays until a message whose name matches `re` is in flight, and pauses with it still there. */
async function pauseWithMessage(page, re, what) {
  for (let tries = 0; tries < 20; tries++) {
    await play(page);
    await until(async () => (await flights(page)).some((n) => re.test(n)), what);
    await pause(page);
    const name = (await flights(page)).find((n) => re.test(n));
    if (name) return name;
  }
  throw new Error(`could not pause with ${what} in flight`);
}

/** Chooses `item` in node `id`'s menu with the mouse. */
async function nodeMenu(page, id, item) {
  await page.locator(`#node-${id}`).click();
  const menu = page.getByRole('menu');
  await menu.waitFor();
  await page.getByRole('menuitem', { name: item, exact: true }).click();
  await menu.waitFor({ state: 'detached' });
}

async function assertInvariantsHold(page) {
  assert.equal(await page.locator('.invariants li.bad').count(), 0, 'no invariant is violated');
  assert.match(await page.locator('#invariants-title').innerText(), /all hold/);
}

const CHOSEN = /^value (\d+) — accepted by (\d+) of (\d+) acceptors in ballot \d+\.\d+$/;

describe('paxos', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('lists the Paxos invariants, names nodes by role and round, and logs no errors', async () => {
    const page = await open(env, '?protocol=paxos&nodes=5&seed=3');
    const inv = page.locator('.invariants');
    for (const name of ['Single Choice', 'Learned Is Chosen', 'Promise Respected']) {
      await inv.getByText(name, { exact: true }).waitFor();
    }
    const nodes = await named(page);
    assert.deepEqual(
      nodes.map((n) => n.id),
      [1, 2, 3, 4, 5],
    );
    for (const n of nodes) {
      assert.equal(n.epochName, 'round');
      assert.ok(['proposer', 'acceptor', 'learner'].includes(n.role), n.role);
    }
    // The node menu offers the protocol's own wording for a client request and a timeout.
    await page.locator('#node-2').click();
    await page.getByRole('menu').waitFor();
    await page.getByRole('menuitem', { name: 'Propose a value', exact: true }).waitFor();
    await page.getByRole('menuitem', { name: 'Retry with a higher ballot', exact: true }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: /^Cluster/ }).waitFor();
    await assertInvariantsHold(page);
    assertClean(page);
    await page.context().close();

    // Raft has no cluster-wide facts: no Cluster panel.
    const raft = await open(env, '?protocol=raft&nodes=3&seed=3');
    await raft.locator('.invariants').waitFor();
    assert.equal(await raft.locator('.summary').count(), 0, 'no Cluster panel for Raft');
    assertClean(raft);
    await raft.context().close();
  });

  it('shows the chosen value before the learners learn it, then every log holds it', async () => {
    // Opened paused at the start (a plain page would play at once, fast until a value is chosen).
    const page = await open(env, '?protocol=paxos&nodes=5&seed=3&at=0');
    const panel = page.getByRole('region', { name: 'Cluster what no single node knows' });
    await panel.waitFor();
    assert.match((await facts(page)).Chosen, /^nothing yet/);
    assert.match(await panel.innerText(), /majority of acceptors/, 'the panel explains what chosen means');
    await page.locator('.controls .play').click();
    await faster(page, 1);
    // The panel follows the run live while it plays.
    await until(async () => CHOSEN.test((await facts(page)).Chosen), 'a chosen value in the Cluster panel');
    // Go back to just before the value was chosen, then step forward event by event.
    await pause(page);
    for (let i = 0; i < 200 && CHOSEN.test((await facts(page)).Chosen); i++) await key(page, ',');
    assert.match((await facts(page)).Chosen, /^nothing yet/);
    for (let i = 0; i < 400 && !CHOSEN.test((await facts(page)).Chosen); i++) await key(page, '.');
    const at = await facts(page);
    const [, value, votes, total] = CHOSEN.exec(at.Chosen);
    assert.ok(Number(votes) >= 3 && Number(total) === 5, at.Chosen);
    // At the moment it is chosen, at most the acceptor that completed the majority knows.
    assert.match(at.Learned, /not yet: Nodes? /, `learners still waiting: ${at.Learned}`);
    assert.ok((await strips(page)).filter((s) => s.committed > 0).length <= 1, 'at most one log is committed');

    await play(page);
    await faster(page, 2);
    // (While playing, the panel is read about ten times a second: it may trail the logs a little.)
    await until(
      async () =>
        (await strips(page)).every((s) => s.committed === 1) &&
        (await facts(page)).Learned === `value ${value}: Nodes 1, 2, 3, 4, 5`,
      'every learner to learn and every log to commit',
    );
    for (const s of await strips(page)) {
      assert.deepEqual(s.values, [value], `Node ${s.id}'s log holds the chosen value`);
    }
    const end = await facts(page);
    assert.equal(CHOSEN.exec(end.Chosen)[1], value, 'the chosen value never changes');
    await assertInvariantsHold(page);
    assertClean(page);
    await page.context().close();
  });

  it('crashing the proposer mid-ballot and restarting it still chooses exactly one value', async () => {
    const page = await open(env, '?protocol=paxos&nodes=5&seed=3&proposers=1');
    await faster(page, 2);
    // Its Accepts still on the wire may make its value chosen without it; whatever happens, the
    // restarted proposer (with a new ballot) must not get a second value chosen.
    const inFlight = await pauseWithMessage(page, /^Accept from Node 1 to Node \d+$/, 'an Accept from the proposer');
    // Crash it with the keyboard alone while its message is on the wire.
    await page.locator('#node-1').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Crash');
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor({ state: 'detached' });
    await until(async () => (await named(page))[0].role === 'crashed', 'Node 1 to show as crashed');
    assert.ok((await flights(page)).includes(inFlight), `${inFlight} is still on the wire`);

    await play(page);
    await until(
      async () => !(await flights(page)).some((n) => / from Node 1 to /.test(n)),
      'the crashed proposer’s messages to land',
    );
    await nodeMenu(page, 1, 'Restart');
    await until(async () => (await named(page))[0].role !== 'crashed', 'Node 1 to restart');
    await faster(page, 1);
    await until(
      async () => (await strips(page)).every((s) => s.committed === 1) && /^value \d+: Nodes 1, 2, 3, 4, 5$/.test((await facts(page)).Learned),
      'every learner to learn',
    );
    const f = await facts(page);
    const value = /^value (\d+):/.exec(f.Learned)[1];
    assert.match(f.Chosen, CHOSEN, 'exactly one value is chosen');
    assert.equal(CHOSEN.exec(f.Chosen)[1], value, 'the learners learned the chosen value');
    for (const s of await strips(page)) assert.deepEqual(s.values, [value], `Node ${s.id} agrees`);
    await assertInvariantsHold(page);
    assert.match(page.url(), /[?&]a=/, 'the crash and restart are recorded in the link');
    assertClean(page);
    await page.context().close();
  });

  it('drops an Accept: the message disappears and its loss is shown and logged', async () => {
    const page = await open(env, '?protocol=paxos&nodes=5&seed=3&proposers=1');
    await faster(page, 2);
    const name = await pauseWithMessage(page, /^Accept from Node 1 to Node \d+$/, 'an Accept');
    const to = Number(/to Node (\d+)$/.exec(name)[1]);
    const msg = page.locator('svg.ring').getByRole('button', { name, exact: true });
    const id = await msg.getAttribute('id');
    const number = id.replace('msg-', '');
    await msg.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor();
    await page.getByRole('menuitem', { name: 'Drop', exact: true }).click();
    await until(async () => (await page.locator(`#${id}`).count()) === 0, 'the Accept to disappear');
    const lost = page.locator('svg.ring .lost[data-reason="dropped by visitor"]');
    await lost.first().waitFor();
    assert.equal(
      await lost.first().locator('title').textContent(),
      `Accept from Node 1 to Node ${to} lost: dropped by visitor`,
    );
    await until(
      async () => (await page.locator('#announcer').innerText()).includes(`Dropped message #${number}`),
      'the drop to be announced',
    );
    const logged = page.locator('.ev-list .ev', {
      hasText: `Accept #${number} from Node 1 to Node ${to} lost: dropped by visitor`,
    });
    await logged.first().waitFor({ timeout: 5_000 });

    // A majority still accepts without that acceptor.
    await play(page);
    await until(async () => CHOSEN.test((await facts(page)).Chosen), 'a value to be chosen');
    const [, value, votes] = CHOSEN.exec((await facts(page)).Chosen);
    assert.equal(value, '100', 'the proposer’s own value is chosen');
    assert.ok(Number(votes) < 5, `Node ${to} did not accept in that ballot`);
    await assertInvariantsHold(page);
    assertClean(page);
    await page.context().close();
  });

  it('with every role on every node, only the leading proposer wears the crown; the inspector shows Paxos state, not a log', async () => {
    const page = await open(env, '?protocol=paxos&nodes=5&seed=3');
    await faster(page);
    // Sample while the proposers compete: never two crowns, and one while a proposer leads.
    const lead = await until(async () => {
      const crowns = page.locator('svg.ring .node:has(.crown)');
      const count = await crowns.count();
      assert.ok(count <= 1, `${count} crowns`);
      return count === 1 ? crowns.first().getAttribute('aria-label', { timeout: 1000 }).catch(() => null) : null;
    }, 'a leading proposer with a crown', 20_000);
    assert.match(lead, /^Node \d+, proposer, round \d+$/);
    // The inspector: promised, accepted and learned values and the proposer's phase and ballot.
    const inspector = page.locator('.inspector');
    await inspector.getByLabel('Node').selectOption('1');
    const fields = await inspector.locator('dl.fields dt').allInnerTexts();
    for (const f of ['promised', 'accepted', 'learned', 'proposer']) assert.ok(fields.includes(f), `${f} in ${fields}`);
    assert.match(await inspector.locator('dl.fields').innerText(), /ballot \d+\.\d+|phase [12]|nothing yet/);
    assert.equal(await inspector.getByText(/^Log:/).count(), 0, 'no log heading');
    assert.equal(await inspector.locator('table.log-table').count(), 0, 'no log table');
    assertClean(page);
    await page.context().close();
  });
});

describe('multi-paxos', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('a new leader keeps every committed slot after the old leader crashes', async () => {
    const page = await open(env, '?protocol=multipaxos&nodes=5&seed=3');
    await faster(page, 3);
    const leaderNow = async (above = -1) =>
      until(
        async () => (await named(page)).find((n) => n.role === 'leader' && n.epoch > above),
        `a leader in a round above ${above}`,
      );
    // Each node's committed count, checked never to go down on nodes that stay up.
    const highest = new Map();
    const crashed = new Set();
    const sample = async () => {
      const now = await strips(page);
      for (const s of now) {
        if (crashed.has(s.id)) continue;
        const before = highest.get(s.id) ?? 0;
        assert.ok(s.committed >= before, `Node ${s.id}'s committed count went from ${before} to ${s.committed}`);
        highest.set(s.id, s.committed);
      }
      return now;
    };

    const old = await leaderNow();
    assert.equal(old.epochName, 'round');
    for (let i = 0; i < 3; i++) await nodeMenu(page, old.id, 'Client request');
    await until(async () => (await sample()).every((s) => s.committed >= 3), 'three commands to commit everywhere');
    await until(
      async () => new RegExp(`^Node ${old.id} \\(ballot \\d+\\.${old.id}\\)$`).test((await facts(page)).Leader),
      'the Cluster panel to name the leader',
    );
    // What the old leader had committed just before it crashed.
    await pause(page);
    const kept = (await sample()).find((s) => s.id === old.id);
    assert.ok(kept.committed >= 3 && kept.values.length === kept.committed, JSON.stringify(kept));

    await nodeMenu(page, old.id, 'Crash');
    crashed.add(old.id);
    await play(page);
    const fresh = await leaderNow(old.epoch);
    assert.notEqual(fresh.id, old.id);
    await until(async () => {
      const s = (await sample()).find((x) => x.id === fresh.id);
      return s.committed >= kept.committed;
    }, 'the new leader to commit at least what was committed before');
    const mine = (await sample()).find((s) => s.id === fresh.id);
    assert.deepEqual(mine.values.slice(0, kept.committed), kept.values, 'the committed slots are unchanged');

    // The inspector agrees with the logs panel (the whole log, not only the drawn tail).
    await page.locator('.inspector select').selectOption(String(fresh.id));
    const applied = await page
      .locator('.inspector dt', { hasText: 'chosen and applied up to' })
      .locator('xpath=following-sibling::dd[1]')
      .innerText();
    assert.ok(Number.parseInt(applied, 10) >= kept.committed, `applied up to ${applied}`);
    await until(
      async () => new RegExp(`^Node ${fresh.id} \\(ballot \\d+\\.${fresh.id}\\)$`).test((await facts(page)).Leader),
      'the Cluster panel to name the new leader',
    );
    await sample();
    await assertInvariantsHold(page);
    assertClean(page);
    await page.context().close();
  });
});

// Embedding: the example blog post (www/embed-example.html) drives the first of its two embeds
// through the postMessage API (kill the leader, partition, heal, play/pause) while the second
// is unaffected; garbage messages are ignored with a warning; events are tagged and throttled;
// an embed scrolled out of view pauses and resumes.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, setup, until, watchProblems } from './helpers.mjs';

/** Opens the example page, recording problems (as `open` does) and console warnings. */
async function openExample(env) {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = watchProblems(env, await context.newPage());
  page.warnings = [];
  page.on('console', (msg) => {
    if (msg.type() === 'warning') page.warnings.push(msg.text());
  });
  await page.goto(env.server.url + 'embed-example.html');
  await logLine(page, /^five: ready /);
  await logLine(page, /^three: ready /);
  return page;
}

/** Waits for a line of the example's event log matching `re` (after `skip` lines); returns it. */
async function logLine(page, re, skip = 0) {
  return until(async () => {
    const lines = await page.locator('#event-log li').allInnerTexts();
    return lines.slice(skip).find((l) => re.test(l));
  }, `a log line matching ${re}`);
}

const logLength = (page) => page.locator('#event-log li').count();

/** Posts `message` from the example page to the embed with element id `frame`. */
function post(page, frame, message) {
  return page.evaluate(
    ([id, m]) => document.getElementById(id).contentWindow.postMessage(m, '*'),
    [frame, message],
  );
}

const command = (command, args = {}) => ({ source: 'quorumscope', type: 'command', command, ...args });

/** Node names inside an embed. */
function frameNodes(page, frame) {
  return page
    .frameLocator(`#${frame}`)
    .locator('svg.ring')
    .getByRole('button', { name: /^Node \d+, / })
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
}

/** The last leader the log reports for embed `who`. */
async function lastLeader(page, who) {
  const lines = await page.locator('#event-log li').allInnerTexts();
  const mine = lines.filter((l) => l.startsWith(`${who}: leaderChanged `));
  return mine.length ? JSON.parse(mine.at(-1).slice(`${who}: leaderChanged `.length)) : null;
}

describe('embedding', () => {
  let env;
  let page;
  before(async () => {
    env = await setup();
    page = await openExample(env);
  });
  after(async () => env?.close());

  it('the example page loads two independent embeds under the strict CSP', async () => {
    const ready = await logLine(page, /^five: ready /);
    assert.match(ready, /"protocol":"raft"/);
    assert.match(ready, /"nodes":5/);
    assert.match(ready, /"seed":1\b/);
    assert.match(await logLine(page, /^three: ready /), /"nodes":3/);
    assert.equal((await frameNodes(page, 'embed-a')).length, 5);
    assert.equal((await frameNodes(page, 'embed-b')).length, 3);
    assertClean(page);
  });

  it('its buttons drive the first embed: killing the leader elects a new one; the second is unaffected', async () => {
    await post(page, 'embed-a', command('setSpeed', { speed: 0.1, id: 'fast' }));
    await logLine(page, /^five: ack setSpeed #fast$/);
    await until(() => lastLeader(page, 'five'), 'a first leader');
    const old = await lastLeader(page, 'five');
    assert.ok(old.node >= 1 && old.node <= 5 && old.epoch >= 1, JSON.stringify(old));
    const mark = await logLength(page);
    await page.getByRole('button', { name: 'Kill the leader now' }).click();
    await logLine(page, /^five: ack crash #\d+$/, mark);
    await until(async () => {
      const l = await lastLeader(page, 'five');
      return l && l.node !== old.node && l.epoch > old.epoch;
    }, 'a new leader');
    const names = await frameNodes(page, 'embed-a');
    assert.ok(names.some((n) => n.startsWith(`Node ${old.node}, crashed`)), names.join('; '));
    // The second embed heard nothing.
    const b = await (await page.$('#embed-b')).contentFrame();
    assert.doesNotMatch(b.url(), /[?&]a=/, 'no action in the second embed');
    assert.ok((await frameNodes(page, 'embed-b')).every((n) => !/crashed/.test(n)));
    const lines = await page.locator('#event-log li').allInnerTexts();
    assert.ok(!lines.some((l) => /^three: (ack|error)/.test(l)), 'the second embed answered nothing');

    await page.getByRole('button', { name: 'Partition' }).click();
    await logLine(page, /^five: ack partition/, mark);
    const a = page.frameLocator('#embed-a');
    await until(async () => (await a.locator('.ring .sides.now .wall').count()) === 2, 'the partition drawn in the embed');
    await page.getByRole('button', { name: 'Heal' }).click();
    await logLine(page, /^five: ack heal/, mark);
    await until(async () => (await a.locator('.ring .sides').count()) === 0, 'the embed healed');
    await page.getByRole('button', { name: 'Play/Pause' }).click();
    await logLine(page, /^five: ack pause/, mark);
    await until(async () => /Play/.test(await a.locator('.controls .play').innerText()), 'the embed paused');
    await page.getByRole('button', { name: 'Play/Pause' }).click();
    await logLine(page, /^five: ack play/, mark);
    await until(async () => /Pause/.test(await a.locator('.controls .play').innerText()), 'the embed playing');
    assertClean(page);
  });

  it('ignores garbage and messages from anyone but the parent, with a warning', async () => {
    const warned = page.warnings.length;
    const before = await frameNodes(page, 'embed-a');
    await page.evaluate(() => {
      const w = document.getElementById('embed-a').contentWindow;
      const cyclic = { source: 'quorumscope', type: 'command', command: 'crash' };
      cyclic.self = cyclic;
      for (const m of [
        'hello',
        42,
        null,
        [1, 2],
        {},
        { source: 'someone-else', type: 'command', command: 'crash', node: 1 },
        { source: 'quorumscope', type: 'event', event: 'ready' },
        { source: 'quorumscope', type: 'command' },
        { source: 'quorumscope', type: 'command', command: 'crash', node: 1, id: { nested: true } },
        cyclic,
      ]) {
        w.postMessage(m, '*');
      }
    });
    // Well-formed but wrong: answered with an error (and a warning).
    const mark = await logLength(page);
    await post(page, 'embed-a', command('explode', { id: 'x1' }));
    await post(page, 'embed-a', command('crash', { node: 99, id: 'x2' }));
    await post(page, 'embed-a', command('partition', { groups: [[1, 2], [2, 3]], id: 'x3' }));
    await post(page, 'embed-a', command('dropNext', { from: 'a', to: 2, id: 'x4' }));
    await logLine(page, /^five: error explode #x1: unknown command 'explode'$/, mark);
    await logLine(page, /^five: error crash #x2: node must be a number from 1 to 5/, mark);
    await logLine(page, /^five: error partition #x3: Node 2 is in two groups$/, mark);
    await logLine(page, /^five: error dropNext #x4: /, mark);
    // A valid command, but from the second embed instead of the parent page.
    const b = await (await page.$('#embed-b')).contentFrame();
    await b.evaluate(() =>
      parent.document
        .getElementById('embed-a')
        .contentWindow.postMessage({ source: 'quorumscope', type: 'command', command: 'crash', node: 1, id: 'sneaky' }, '*'),
    );
    await until(() => page.warnings.length >= warned + 15, 'a warning per ignored message');
    const mine = page.warnings.slice(warned);
    assert.ok(mine.every((w) => w.startsWith('QuorumScope: ')), mine.join('\n'));
    assert.ok(mine.some((w) => /did not come from the parent page/.test(w)));
    // Nothing happened to the embed, and it still answers.
    await post(page, 'embed-a', command('pause', { id: 'still-there' }));
    await logLine(page, /^five: ack pause #still-there$/, mark);
    const lines = await page.locator('#event-log li').allInnerTexts();
    assert.ok(!lines.some((l) => /sneaky/.test(l)));
    const after = await frameNodes(page, 'embed-a');
    assert.equal(after.filter((n) => /crashed/.test(n)).length, before.filter((n) => /crashed/.test(n)).length);
    assertClean(page);
  });

  it('seeks, steps and drops the next message through the API; events are tagged and throttled', async () => {
    const mark = await logLength(page);
    await post(page, 'embed-a', command('pause'));
    await post(page, 'embed-a', command('seek', { t_ms: 200, id: 's' }));
    await logLine(page, /^five: ack seek #s$/, mark);
    await until(async () => (await page.locator('#clock').innerText()) === '0.20 s (paused)', 'the clock at 200 ms');
    // Find a message in flight and drop it by its ends.
    await post(page, 'embed-a', command('step', { id: 'st' }));
    await logLine(page, /^five: ack step #st$/, mark);
    const msg = page.frameLocator('#embed-a').getByRole('button', { name: / from Node \d+ to Node \d+/ }).first();
    await until(async () => (await msg.count()) > 0 || (await post(page, 'embed-a', command('step')), false), 'a message in flight');
    const [, from, to] = /from Node (\d+) to Node (\d+)/.exec(await msg.getAttribute('aria-label'));
    await post(page, 'embed-a', command('dropNext', { from: Number(from), to: Number(to), id: 'd' }));
    await logLine(page, /^five: ack dropNext #d$/, mark);
    // Time events: tagged with the embed's id, at most about four a second.
    const times = await page.evaluate(async () => {
      const seen = [];
      const on = (e) => {
        if (e.data?.source === 'quorumscope' && e.data.event === 'time') seen.push(e.data.embedId);
      };
      window.addEventListener('message', on);
      document.getElementById('embed-a').contentWindow.postMessage(
        { source: 'quorumscope', type: 'command', command: 'play' },
        '*',
      );
      await new Promise((r) => setTimeout(r, 2000));
      window.removeEventListener('message', on);
      return seen;
    });
    const five = times.filter((id) => id === 'five').length;
    assert.ok(five >= 3 && five <= 11, `${five} time events from the first embed in 2 s`);
    assertClean(page);
  });

  it('setParam changes a live setting of the run, and a setting that cannot change is refused', async () => {
    let mark = await logLength(page);
    await post(page, 'embed-b', command('load', { link: '?protocol=loadbalance&seed=3&at=1000000', id: 'lb' }));
    await logLine(page, /^three: ack load #lb$/, mark);
    const balancer = async () => (await frameNodes(page, 'embed-b'))[0];
    assert.match(await balancer(), /^Node 1, balancer, Policy round-robin, /);
    mark = await logLength(page);
    await post(page, 'embed-b', command('setParam', { key: 'policy', value: 'p2c', id: 'p' }));
    await logLine(page, /^three: ack setParam #p$/, mark);
    await until(async () => /^Node 1, balancer, Policy p2c, /.test(await balancer()), 'the balancer on p2c');
    await post(page, 'embed-b', command('setParam', { key: 'speed', value: 25, node: 3, id: 's' }));
    await logLine(page, /^three: ack setParam #s$/, mark);
    await post(page, 'embed-b', command('setParam', { key: 'workers', value: 4, id: 'w' }));
    await logLine(page, /^three: error setParam #w: .*cannot change 'workers' mid-run/, mark);
    await post(page, 'embed-b', command('setParam', { key: 'policy', value: 'fastest', id: 'f' }));
    await logLine(page, /^three: error setParam #f: .*round-robin/, mark);
    assertClean(page);
  });

  it('an embed scrolled out of view pauses, and resumes when back', async () => {
    const a = page.frameLocator('#embed-a');
    await page.evaluate(() => window.scrollTo(0, 0));
    await post(page, 'embed-a', command('play'));
    await until(async () => /Pause/.test(await a.locator('.controls .play').innerText()), 'the first embed playing');
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await until(async () => /Play/.test(await a.locator('.controls .play').innerText()), 'the hidden embed to pause');
    await page.evaluate(() => window.scrollTo(0, 0));
    await until(async () => /Pause/.test(await a.locator('.controls .play').innerText()), 'the embed to resume');
    assertClean(page);
  });

  it('keeps commands posted before the embed has started and carries them out in order', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
    const early = watchProblems(env, await context.newPage());
    // Hold the app's wasm back, so that the commands below arrive while the embeds are loading.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await early.route('**/*.wasm', async (route) => {
      await held;
      await route.continue();
    });
    await early.goto(env.server.url + 'embed-example.html');
    await until(
      async () => early.evaluate(() => typeof document.getElementById('embed-a').contentWindow.quorumscopeEarly === 'function'),
      'the embed’s loader to run',
    );
    const lines = () => early.locator('#event-log li').allInnerTexts();
    assert.ok(!(await lines()).some((l) => l.startsWith('five: ready')), 'the embed has not started yet');
    await post(early, 'embed-a', command('pause', { id: 'p' }));
    await post(early, 'embed-a', command('seek', { t_ms: 300, id: 'early' }));
    release();
    await logLine(early, /^five: ready /);
    await logLine(early, /^five: ack seek #early$/);
    const mine = (await lines()).filter((l) => /^five: ack /.test(l));
    assert.deepEqual(mine.slice(0, 2), ['five: ack pause #p', 'five: ack seek #early'], 'in the order sent');
    await until(async () => (await early.locator('#clock').innerText()) === '0.30 s (paused)', 'the clock at 300 ms');
    assertClean(early);
    await context.close();
  });
});

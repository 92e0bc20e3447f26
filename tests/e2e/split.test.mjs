// The release build comes in two wasm modules (.ci/split-wasm.mjs): the first page's code, and
// the rest (the other protocols, the history view, the trade-off panel, the hashing panel). A
// visitor of the plain page must not wait for the rest: the page draws without it, and it is
// fetched in the background once the page is idle. A link to another protocol fetches both
// before the start; a switch to another protocol uses the rest fetched in the background, or
// fetches it on the spot if it has not arrived.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertClean, faster, nodeNames, nodes, seekBySlider, setup, until, watchProblems } from './helpers.mjs';

/** Records, in `window.restCalls`, each time the first module asks for the rest (the stub's
 * slot, which names the function in the build's wasm-split report). */
function recordRestCalls() {
  Object.defineProperty(window, 'quorumscopeRest', {
    configurable: true,
    set(load) {
      this.restLoader = (slot, exports) => {
        (window.restCalls ??= []).push(slot);
        return load(slot, exports);
      };
    },
    get() {
      return this.restLoader;
    },
  });
}

/** Opens `query` recording rest calls and the requests for the rest (`page.restRequests`:
 * resource type and wall time after the page was asked for). `idle: false` keeps the
 * background fetch from starting. */
async function openRecorded(env, query, { idle = true } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(recordRestCalls);
  if (!idle) {
    await context.addInitScript(() => {
      window.requestIdleCallback = () => 0;
    });
  }
  const page = watchProblems(env, await context.newPage());
  page.restRequests = [];
  const start = Date.now();
  page.on('request', (r) => {
    if (r.url().includes('_rest.wasm')) page.restRequests.push({ type: r.resourceType(), at: Date.now() - start });
  });
  await page.goto(env.server.url + query);
  await nodes(page).first().waitFor({ timeout: 15_000 });
  page.drawnAt = Date.now() - start;
  return page;
}

const restCalls = (page) => page.evaluate(() => window.restCalls ?? []);

/** The functions behind stub slots, from the build's wasm-split report (if this machine built
 * dist/), for a failure message that says what to add to .ci/wasm-split/first-page.txt. */
function slotNames(slots) {
  const root = new URL('../..', import.meta.url).pathname;
  const report = join(process.env.CARGO_TARGET_DIR || join(root, 'target'), 'wasm-split', 'report.txt');
  if (!existsSync(report)) return slots.map(String);
  const stubs = new Map();
  for (const line of readFileSync(report, 'utf8').split('# stubs (slot, name)\n')[1].split('\n\n')[0].split('\n')) {
    const [slot, name] = line.split('\t');
    stubs.set(Number(slot), name);
  }
  return slots.map((s) => `${s}: ${stubs.get(s)}`);
}

/** The Raft leader among the servers (clients have names of their own), with a term above `above`. */
async function serverLeader(page, above = -1) {
  return until(async () => {
    for (const name of await nodeNames(page)) {
      const m = /^Node (\d+), leader, term (\d+)/.exec(name);
      if (m && Number(m[2]) > above) return { id: Number(m[1]), term: Number(m[2]) };
    }
    return null;
  }, `a leader with a term above ${above}`);
}

describe('the code in two parts', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('the plain Raft page draws without the rest, and never waits for it (crash, restart, clients, scrubbing, settings)', async () => {
    const page = await openRecorded(env, '?seed=4&clients=2');
    assert.deepEqual(
      slotNames(await restCalls(page)),
      [],
      'the first page called into the rest before it had drawn: if the function named is the first page\'s own code under another name, add it to .ci/wasm-split/first-page.txt',
    );
    await faster(page);
    const first = await serverLeader(page);
    await page.locator(`#node-${first.id}`).click();
    await page.getByRole('menuitem', { name: /^Crash/ }).click();
    await serverLeader(page, first.term);
    await page.locator(`#node-${first.id}`).click();
    await page.getByRole('menuitem', { name: /^Restart/ }).click();
    await until(async () => !(await nodeNames(page)).some((n) => n.includes('crashed')), 'the restart');
    await seekBySlider(page, 1_000_000);
    await page.getByRole('spinbutton', { name: 'Nodes' }).fill('3');
    await page.getByRole('spinbutton', { name: 'Nodes' }).press('Tab');
    await until(async () => (await nodes(page).count()) === 3 + 2, 'three servers and two clients');
    await serverLeader(page);
    // Later calls into the rest (code LLVM merged under another protocol's name, such as a
    // drop) find it fetched in the background: the page never fetched it on the spot.
    assert.equal(page.restRequests.length, 1, 'the rest is fetched once');
    assert.equal(page.restRequests[0].type, 'fetch', 'in the background, not on the spot');
    assertClean(page);
  });

  it('a link to another protocol fetches the rest before the start, once', async () => {
    const page = await openRecorded(env, '?protocol=kvstore&seed=3');
    await until(async () => (await restCalls(page)).length > 0, 'the rest to be instantiated');
    await page.waitForTimeout(1000);
    assert.equal((await restCalls(page)).length, 1, 'instantiated once');
    assert.deepEqual(page.restRequests.map((r) => r.type), ['fetch']);
    assert.ok((await nodeNames(page)).some((n) => /, client, /.test(n)), 'the store runs');
    assertClean(page);
  });

  it('switching protocol in the settings uses the rest fetched in the background', async () => {
    const page = await openRecorded(env, '?seed=5');
    await until(async () => page.restRequests.length > 0, 'the background fetch');
    await page.waitForTimeout(500);
    await page.locator('select[name="protocol"]').selectOption('paxos');
    await until(async () => /protocol=paxos/.test(page.url()), 'the link to name Paxos');
    await until(async () => (await nodeNames(page)).length === 5, 'Paxos nodes');
    assert.equal((await restCalls(page)).length, 1);
    assert.deepEqual(page.restRequests.map((r) => r.type), ['fetch'], 'no second fetch');
    assertClean(page);
  });

  it('before the background fetch, the first call into the rest fetches it on the spot', async () => {
    const page = await openRecorded(env, '?seed=6', { idle: false });
    await page.waitForTimeout(500);
    assert.deepEqual(page.restRequests, [], 'nothing fetched while the page is busy');
    await page.locator('select[name="protocol"]').selectOption('loadbalance');
    await until(async () => (await nodeNames(page)).some((n) => /, balancer/.test(n)), 'the balancer');
    assert.deepEqual(page.restRequests.map((r) => r.type), ['xhr'], 'fetched on the spot');
    assertClean(page);
  });
});

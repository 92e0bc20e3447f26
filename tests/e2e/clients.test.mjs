// Clients on the wire, in the page: client nodes stand in a column beside the ring, send
// requests as messages, follow the leader, and answer the node menu's request; their table
// counts what became of every request.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClean, faster, nodeNames, open, setup, until } from './helpers.mjs';

/** The clients' table as rows of {node, fields…} keyed by column header. */
async function clientRows(page) {
  return page.locator('.kind-table').evaluate((section) => {
    const heads = [...section.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    return [...section.querySelectorAll('tbody tr')].map((tr) => {
      const cells = [...tr.children].map((c) => c.textContent.trim());
      return Object.fromEntries(heads.map((h, i) => [h, cells[i]]));
    });
  });
}

const answered = async (page) => (await clientRows(page)).reduce((sum, r) => sum + Number(r.answered), 0);

describe('clients', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  it('a Raft run with clients=3 shows three clients that find the leader and get answers', async () => {
    const page = await open(env, '?protocol=raft&nodes=5&seed=3&clients=3');
    const names = await nodeNames(page);
    assert.equal(names.length, 8, names.join(' | '));
    for (const name of names.slice(5)) {
      assert.match(name, /^Node [678], client, sends to Node [1-5], in flight \d+$/);
    }
    // The clients stand apart from the ring: left of every server.
    const x = async (id) => (await page.locator(`#node-${id}`).boundingBox()).x;
    const serversLeft = Math.min(...(await Promise.all([1, 2, 3, 4, 5].map(x))));
    for (const id of [6, 7, 8]) assert.ok((await x(id)) < serversLeft, `client Node ${id} is in the column`);

    await faster(page);
    await until(async () => (await answered(page)) >= 10, 'ten answered requests', 60_000);
    const rows = await clientRows(page);
    assert.deepEqual(rows.map((r) => r.Node), ['Node 6', 'Node 7', 'Node 8']);
    const leader = names.length && (await nodeNames(page)).find((n) => /, leader, /.test(n));
    assert.ok(leader, 'a leader');
    const leaderId = /^Node (\d+)/.exec(leader)[1];
    await until(
      async () => (await clientRows(page)).every((r) => r['sends to'] === `Node ${leaderId}`),
      'every client to send to the leader',
    );
    // Requests and responses are messages on the wire, named as such.
    await until(
      async () => (await page.locator('svg.ring').getByRole('button', { name: /^(Request|Response) from Node \d+ to Node \d+/ }).count()) > 0,
      'a request or response in flight',
    );
    assertClean(page);
  });

  it("the node menu's client request on a client sends one more request", async () => {
    const page = await open(env, '?protocol=multipaxos&nodes=3&seed=5&clients=1&rate=1');
    await faster(page);
    await until(async () => (await answered(page)) >= 1, 'a first answer', 60_000);
    await page.locator('.controls .play').click(); // pause
    const before = await answered(page);
    await page.locator('#node-4').click();
    await page.getByRole('menuitem', { name: /^Client request/ }).click();
    const inFlight = Number((await clientRows(page))[0]['in flight']);
    assert.ok(inFlight >= 1, `the new request is in flight (${inFlight})`);
    await page.locator('.controls .play').click(); // play on
    await until(async () => (await answered(page)) > before, 'the extra request to be answered', 60_000);
    assertClean(page);
  });

  it('a crashed client stays in the link and replays', async () => {
    const page = await open(env, '?protocol=raft&nodes=3&seed=2&clients=2');
    await faster(page);
    await until(async () => (await answered(page)) >= 2, 'answers', 60_000);
    await page.locator('#node-5').click();
    await page.getByRole('menuitem', { name: /^Crash/ }).click();
    await until(async () => (await nodeNames(page)).some((n) => n.startsWith('Node 5, crashed')), 'the client to crash');
    const link = new URL(page.url());
    assert.equal(link.searchParams.get('clients'), '2');
    assert.match(link.searchParams.get('a') ?? '', /c5/, 'the crash of Node 5 is recorded');
    const again = await open(env, link.search);
    await until(async () => (await nodeNames(again)).some((n) => n.startsWith('Node 5, crashed')), 'the replay to show it crashed');
    assertClean(page);
    assertClean(again);
  });
});

// Automated WCAG audit with axe-core 4.14 over every protocol's page (failover's with its
// manager table, clients and charts), light and dark, with a node menu open, with charts (a run
// with clients), the key–value store's history views, and in the embed layout: no serious or
// critical violation. (The node controls' visible labels are part of their accessible names:
// WCAG 2.5.3, rule label-content-name-mismatch.)
//
// axe is injected as a script tag, which the app's strict CSP forbids: these pages are opened
// with `bypassCSP` (every other test file keeps the CSP).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { assertClean, nodes, playing, setup, shortcut, until, watchProblems } from './helpers.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Opens `query` with the given colour scheme, CSP bypassed, paused. */
async function openPage(env, query, colorScheme, viewport = { width: 1280, height: 900 }) {
  const context = await env.browser.newContext({ viewport, colorScheme, bypassCSP: true });
  const page = watchProblems(env, await context.newPage());
  await page.goto(env.server.url + query);
  await nodes(page).first().waitFor({ timeout: 15_000 });
  if (await playing(page)) await shortcut(page, 'k');
  await until(async () => !(await playing(page)), 'the run to pause');
  return page;
}

/** Runs axe over the whole page; returns the serious and critical violations, described. */
async function audit(page) {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

describe('accessibility audit (axe-core)', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.close());

  for (const protocol of ['raft', 'paxos', 'multipaxos', 'failover']) {
    for (const scheme of ['light', 'dark']) {
      it(`${protocol}, ${scheme}: no serious or critical violations, also with a node menu open`, async () => {
        const page = await openPage(env, `?protocol=${protocol}&nodes=5&seed=3`, scheme);
        assert.deepEqual(await audit(page), [], 'violations on the page');
        await page.locator('#node-2').click();
        await page.getByRole('menu').waitFor();
        assert.deepEqual(await audit(page), [], 'violations with the node menu open');
        assertClean(page);
      });
    }
  }

  it('the charts of a run with clients: no serious or critical violations, light and dark', async () => {
    for (const scheme of ['light', 'dark']) {
      const page = await openPage(env, '?protocol=raft&nodes=5&seed=3&clients=3&at=3000000', scheme);
      await page.locator('.charts .chart-seek').first().waitFor();
      assert.deepEqual(await audit(page), [], `violations with charts, ${scheme}`);
      assertClean(page);
    }
  });

  it('load balancing with its hashing ring, live settings and a server menu: no serious or critical violations, light and dark', async () => {
    for (const scheme of ['light', 'dark']) {
      const page = await openPage(env, '?protocol=loadbalance&seed=3&policy=consistent-hashing&at=2000000', scheme);
      await page.locator('.hashring .ring-svg').waitFor();
      assert.deepEqual(await audit(page), [], `violations with the ring drawn, ${scheme}`);
      await page.locator('#node-3').click();
      await page.getByRole('menu').waitFor();
      assert.deepEqual(await audit(page), [], `violations with a server's menu open, ${scheme}`);
      assertClean(page);
    }
  });

  it("clock synchronisation with its charts, the register and a clock's menu: no serious or critical violations, light and dark", async () => {
    for (const scheme of ['light', 'dark']) {
      const page = await openPage(env, '?protocol=clocksync&seed=3&algorithm=ntp&store=version-vectors&at=5000000', scheme);
      await page.locator('.charts .chart-seek').first().waitFor();
      assert.deepEqual(await audit(page), [], `violations with the clocks' charts, ${scheme}`);
      await page.locator('#node-3').click();
      await page.getByRole('menu').waitFor();
      assert.deepEqual(await audit(page), [], `violations with a clock's menu open, ${scheme}`);
      assertClean(page);
    }
  });

  it('a failover page with its trade-off measured: no serious or critical violations, light and dark', async () => {
    for (const scheme of ['light', 'dark']) {
      const page = await openPage(env, '?protocol=failover&seed=3', scheme);
      await page.getByRole('button', { name: 'Measure the trade-off' }).click();
      await page.locator('.tradeoff-table').waitFor({ timeout: 60_000 });
      assert.deepEqual(await audit(page), [], `violations with the trade-off drawn, ${scheme}`);
      assertClean(page);
    }
  });

  it('vector clocks on the space-time diagram and a selected event: no serious or critical violations, light and dark', async () => {
    for (const scheme of ['light', 'dark']) {
      const page = await openPage(env, '?protocol=raft&nodes=3&seed=11&load=20&at=900000&clocks=vector', scheme);
      await page.locator('.st .clk text').first().waitFor();
      // Enter for the cursor, Space to select the event nearest it.
      await page.getByRole('slider', { name: 'Moment on the space-time diagram' }).focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press(' ');
      await page.locator('.st .causal .cs').waitFor();
      assert.deepEqual(await audit(page), [], `violations with clocks and a selection, ${scheme}`);
      assertClean(page);
      await page.context().close();
    }
  });

  it("the key–value store's history view with a witness, side by side, and the staleness chart: no serious or critical violations, light and dark", async () => {
    for (const scheme of ['light', 'dark']) {
      const page = await openPage(env, '?protocol=kvstore&mode=raft&seed=1&vs=mode:raft-follower&at=8000000', scheme);
      await page.locator('#hv-twin .hv-op').first().waitFor();
      await page.locator('#hv-twin').getByRole('button', { name: /to see it$/ }).click();
      await page.locator('#hv-twin .hv-op.wit').first().waitFor();
      assert.deepEqual(await audit(page), [], `violations with the history views, ${scheme}`);
      assertClean(page);
      await page.context().close();
    }
  });

  it('a crowded ring (25 nodes) and the embed layout: no serious or critical violations', async () => {
    const crowded = await openPage(env, '?protocol=raft&nodes=25&seed=3', 'light');
    assert.deepEqual(await audit(crowded), [], 'violations at 25 nodes');
    for (const scheme of ['light', 'dark']) {
      const page = await openPage(env, '?protocol=paxos&nodes=5&seed=3&embed=1', scheme, { width: 480, height: 600 });
      assert.deepEqual(await audit(page), [], `violations in the ${scheme} embed`);
      assertClean(page);
    }
  });
});

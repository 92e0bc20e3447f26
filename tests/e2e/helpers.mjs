// Shared set-up for the end-to-end tests: one static server and one headless Chromium per test
// file, and pages that record every console error, page error and off-site request.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const DIST = new URL('../../dist/index.html', import.meta.url);

/** Starts the server and the browser; call `close()` when done. */
export async function setup() {
  assert.ok(
    existsSync(DIST),
    'dist/ is missing: run `trunk build --release --public-url /blog/raft/ --dist dist` first',
  );
  const server = await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return {
    server,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Records what went wrong in `page` in `page.problems`: console errors, uncaught page errors,
 * failed requests and requests to anything but the local server. Returns the page.
 */
export function watchProblems(env, page) {
  page.problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(env.server.origin + '/') && !url.startsWith('blob:') && !url.startsWith('data:')) {
      page.problems.push(`off-site request: ${url}`);
    }
  });
  page.on('requestfailed', (req) => page.problems.push(`failed request: ${req.url()}`));
  return page;
}

/**
 * Opens `query` (e.g. '?nodes=3') in a fresh page and records problems in `page.problems`:
 * console errors, uncaught page errors, and requests to anything but the local server.
 * @returns {Promise<import('playwright-core').Page & {problems: string[]}>}
 */
export async function open(env, query = '', { viewport = { width: 1280, height: 900 } } = {}) {
  const context = await env.browser.newContext({
    viewport,
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = watchProblems(env, await context.newPage());
  await page.goto(env.server.url + query);
  await nodes(page).first().waitFor({ timeout: 15_000 });
  return page;
}

/** The node controls on the ring. */
export const nodes = (page) => page.getByRole('button', { name: /^Node \d+, / });

/** The in-flight message controls on the ring (the event log's entries name messages too). */
export const messages = (page) =>
  page.locator('svg.ring').getByRole('button', { name: / from Node \d+ to Node \d+/ });

/** Accessible names of every node, in order. */
export async function nodeNames(page) {
  return nodes(page).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
}

/** Parses `Node 3, leader, term 2` (and `Node 3, leader, term 2, paused`). */
export function parseNode(name) {
  const m = /^Node (\d+), ([a-z-]+), term (\d+)(, paused)?$/.exec(name);
  assert.ok(m, `unexpected node name: ${name}`);
  return { id: Number(m[1]), role: m[2], term: Number(m[3]), paused: Boolean(m[4]) };
}

/** Polls `fn` until it returns a truthy value (returned) or the time runs out. */
export async function until(fn, what, timeout = 30_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for a leader and returns it. */
export async function leader(page, { above = -1, timeout = 30_000 } = {}) {
  return until(
    async () => (await nodeNames(page)).map(parseNode).find((n) => n.role === 'leader' && n.term > above),
    `a leader with a term above ${above}`,
    timeout,
  );
}

/** Whether the run is playing (the play button offers Pause). */
export async function playing(page) {
  return (await page.locator('.controls .play').innerText()).includes('Pause');
}

/** Presses the shortcut key `key` with focus on the page body. */
export async function shortcut(page, key) {
  await page.evaluate(() => document.activeElement?.blur?.());
  await page.keyboard.press(key);
}

/** Sets the speed to 1/10 of real time (three steps up from the default 1/100). */
export async function faster(page, steps = 3) {
  for (let i = 0; i < steps; i++) await shortcut(page, ']');
}

/** Asserts that nothing went wrong in the page. */
export function assertClean(page) {
  assert.deepEqual(page.problems, [], 'the page reported problems');
}

/** The time slider's value (virtual µs). */
export const sliderTime = (page) => page.locator('.controls .time input').evaluate((e) => Number(e.value));

/** Moves the time slider to `t`, the way dragging it does. */
export async function seekBySlider(page, t) {
  await page.locator('.controls .time input').evaluate((el, t) => {
    const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    set.call(el, String(t));
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, t);
}

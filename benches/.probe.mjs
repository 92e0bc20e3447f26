import { chromium } from 'playwright-core';
import { startServer } from '/work/main/tests/e2e/server.mjs';
const server = await startServer({ root: process.env.DIST });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
for (const q of process.argv.slice(2)) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}?${q}`);
  await page.getByRole('button', { name: /^Node 1\b/ }).first().waitFor();
  const play = page.getByRole('button', { name: /^Play\b/ });
  if (await play.count()) await play.first().click();
  for (let i = 0; i < 3; i++) { await page.evaluate(() => document.activeElement?.blur?.()); await page.keyboard.press(']'); }
  const counts = [];
  for (let i = 0; i < 7; i++) { await page.waitForTimeout(2000); counts.push(await page.locator('svg.ring g[data-msg]').count()); }
  console.log(q, counts.join(' '));
  await page.close();
}
await browser.close(); await server.close();

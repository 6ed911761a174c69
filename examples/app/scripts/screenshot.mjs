// Takes docs/screenshot.png: builds the app, serves it on a free port, signs the guestbook once
// and presses the revalidate button in headless Chromium, then captures the page.
//   node examples/app/scripts/screenshot.mjs   (after `npm run build`)
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createAppServer } from '../server/http.mjs';
import { buildApp } from './build.mjs';

const output = fileURLToPath(new URL('../../../docs/screenshot.png', import.meta.url));

process.env.USE_CACHE_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');
const { distDir } = await buildApp();
const server = createAppServer({ distDir });
await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
const url = `http://127.0.0.1:${port}/?city=Oslo&days=3`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 800 }, deviceScaleFactor: 1 });
  await page.goto(url);
  await page.getByTestId('tagged-time').waitFor();
  await page.waitForTimeout(300);
  await page.reload(); // a second render: the cached times are hits now, the fresh child is new
  await page.getByTestId('guestbook-input').fill('Hello from the README');
  await page.getByTestId('guestbook-submit').click();
  await page.getByTestId('guestbook-entries').locator('li').first().waitFor();
  await page.getByTestId('refresh').click();
  await page.getByTestId('refresh-status').filter({ hasText: 'ran at' }).waitFor();
  await page.screenshot({ path: output, fullPage: true });
  console.log(`Wrote ${output}`);
} finally {
  await browser.close();
  server.close();
}

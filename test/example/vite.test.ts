/**
 * The Vite example (examples/vite) in a real browser: built by Vite with @vitejs/plugin-rsc, this
 * plugin compiling 'use cache' in the rsc environment (plugin-rsc compiles 'use server'), the
 * runtime serialising with plugin-rsc's React Server DOM build, served by `vite preview`, driven
 * through Debian's Chromium with playwright-core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fetchFlight, launchChromium, requireChromium, startApp, VITE_DEMO, type RunningApp } from './harness.js';

/** expect.poll waits 1 s by default; an action round trip on a busy CI machine can take longer. */
const POLL = { timeout: 20_000, interval: 100 };
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const run = requireChromium('the Vite example browser tests');

describe.skipIf(!run)('Vite example in Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(110_000, VITE_DEMO), launchChromium()]);
    context = await browser.newContext();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** A fresh page on the app, hydrated; errors in the browser (hydration mismatches included) are collected. */
  async function open() {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(app.url);
    await hydrated(page);
    return { page, errors };
  }

  const hydrated = (page: Page) => page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? '';

  it('serves the page rendered on the server, the cached component included', async () => {
    const response = await fetch(app.url);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/data-testid="cached-time">\d{4}-/);
    expect(html).toMatch(/data-testid="counter">Clicked <!-- -->0<!-- --> times/);
  });

  it('the client component inside the cached one works after hydration', async () => {
    const { page, errors } = await open();
    expect(await text(page, 'cached-time')).toMatch(ISO_TIME);
    await page.getByTestId('counter').click();
    await page.getByTestId('counter').click();
    await expect.poll(() => text(page, 'counter'), POLL).toBe('Clicked 2 times');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a reload is a cache hit: the cached time stays while the page is rendered anew', async () => {
    const { page, errors } = await open();
    const cached = await text(page, 'cached-time');
    const rendered = await text(page, 'render-time');
    await page.reload();
    await hydrated(page);
    expect(await text(page, 'cached-time')).toBe(cached);
    expect(await text(page, 'render-time')).not.toBe(rendered);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the button's Server Action revalidates the tag: a new cached time at once, kept by the next reload", async () => {
    const { page, errors } = await open();
    const before = await text(page, 'cached-time');
    await page.getByTestId('refresh').click();
    await expect.poll(() => text(page, 'cached-time'), POLL).not.toBe(before);
    const after = await text(page, 'cached-time');
    expect(after).toMatch(ISO_TIME);
    await page.reload();
    await hydrated(page);
    expect(await text(page, 'cached-time')).toBe(after);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the cached component holds its client component as a client reference in the Flight payload', async () => {
    const payload = await fetchFlight(new URL('_.rsc', app.url).href);
    // An import row naming the client module's export, referenced from inside the cached section.
    expect(payload).toMatch(/^[0-9a-f]+:I\[.*"Counter"/m);
    expect(app.alive()).toBe(true);
    expect(app.output()).not.toMatch(/\bError\b/);
  });
});

/** The same app on Vite's dev server (`npm run demo:vite -- --dev`): modules transformed on request. */
describe("Vite example on Vite's dev server", () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp(110_000, VITE_DEMO, ['--dev']);
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
  });

  async function times() {
    const response = await fetch(app.url);
    expect(response.status).toBe(200);
    const html = await response.text();
    return {
      cached: /data-testid="cached-time">([^<]+)</.exec(html)?.[1],
      rendered: /data-testid="render-time">([^<]+)</.exec(html)?.[1],
    };
  }

  it('compiles and serves the page from source; a reload is a cache hit', async () => {
    const first = await times();
    const second = await times();
    expect(first.cached).toMatch(ISO_TIME);
    expect(second.cached).toBe(first.cached);
    expect(second.rendered).not.toBe(first.rendered);
    expect(app.output()).not.toMatch(/\bError\b/);
  });
});

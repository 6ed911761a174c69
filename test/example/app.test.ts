/**
 * The example app (examples/app) in a real browser: built by webpack with babel-loader and this
 * plugin, served by its own Node server, driven through Debian's Chromium with playwright-core.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  boundServerReferences,
  encodeReply,
  fetchFlight,
  launchChromium,
  requireChromium,
  startApp,
  type RunningApp,
} from './harness.js';

const ACTION_HEADER = 'x-rsc-action';
/** expect.poll waits 1 s by default; an action round trip on a busy CI machine can take longer. */
const POLL = { timeout: 20_000, interval: 100 };
/** What the Guestbook server component captures for its inline action (see examples/app/src/Guestbook.jsx). */
const CAPTURED = 'gbk_oslo_d41c8e7b';
/** A constant of that server-only module: no response to the browser may contain its source. */
const SERVER_ONLY = 'd41c8e7b';
const fingerprint = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 16);

const run = requireChromium('the example app browser tests');

describe.skipIf(!run)('example app in Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(110_000), launchChromium()]);
    context = await browser.newContext(); // one context: the app keeps no browser-side state
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /**
   * A fresh page on the app; errors thrown in the browser are collected. With `record`, every
   * response passes through the test (fetched by playwright, then handed to the page), so
   * `bodies` is everything the browser received.
   */
  async function open(path = '/', { record = false } = {}) {
    const page = await context.newPage();
    const errors: string[] = [];
    const bodies: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // React reports a hydration mismatch on the console: the server's HTML must be what the browser renders.
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    if (record) {
      await page.route('**/*', async (route) => {
        const response = await route.fetch();
        const body = await response.body();
        bodies.push(body.toString('utf8'));
        await route.fulfill({ response, body });
      });
    }
    await page.goto(new URL(path, app.url).href);
    await hydrated(page);
    return { page, errors, bodies };
  }

  /** The page is server-rendered: wait until React has hydrated it (buttons and forms are live). */
  const hydrated = (page: Page) => page.locator('html[data-hydrated]').waitFor({ state: 'attached' });

  const at = (page: Page, testId: string) => page.getByTestId(testId).getAttribute('data-at');

  async function times(page: Page) {
    return {
      tagged: await at(page, 'tagged-time'),
      untagged: await at(page, 'untagged-time'),
      shell: await at(page, 'shell-time'),
      fresh: await at(page, 'fresh-time'),
      forecast: await page.getByTestId('forecast').getAttribute('data-computed-at'),
    };
  }

  it('reload: cached components keep their time, interleaved children render anew', async () => {
    const { page, errors } = await open('/?city=Oslo&days=3');
    const first = await times(page);
    expect(first.tagged).toMatch(/^\d{4}-\d\d-\d\dT/);
    await page.reload();
    await hydrated(page);
    const second = await times(page);

    expect(second.tagged).toBe(first.tagged);
    expect(second.untagged).toBe(first.untagged);
    expect(second.shell).toBe(first.shell);
    expect(second.forecast).toBe(first.forecast);
    expect(second.fresh).not.toBe(first.fresh);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("/stats: the server's cacheStats(), per cached function and in total", async () => {
    const { page } = await open('/?city=Oslo&days=3'); // the reload test filled these: hits now
    await page.goto(new URL('/stats', app.url).href);
    const total = page.getByTestId('stats-total');
    expect(Number(await total.locator('[data-column="hits"]').textContent())).toBeGreaterThan(0);
    expect(Number(await total.locator('[data-column="fills"]').textContent())).toBeGreaterThan(0);
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(2); // functions + total
    const response = await fetch(new URL('/stats', app.url), { headers: { accept: 'application/json' } });
    const stats = (await response.json()) as { total: { hits: number }; functions: { name: string }[] };
    expect(stats.total.hits).toBeGreaterThan(0);
    expect(stats.functions.length).toBeGreaterThan(1);
    await page.close();
  });

  it('cached data function: other URL arguments are another entry', async () => {
    const { page } = await open('/?city=Oslo&days=3');
    const oslo = await times(page);
    await page.goto(new URL('/?city=Bergen&days=5', app.url).href);
    await hydrated(page);
    const bergen = await times(page);
    expect(bergen.forecast).not.toBe(oslo.forecast);
    expect(await page.locator('.forecast li').count()).toBe(5);
    expect(bergen.tagged).toBe(oslo.tagged);
    await page.close();
  });

  it('button: the Server Action runs revalidateTag and only the tagged component gets a new time', async () => {
    const { page, errors } = await open();
    const before = await times(page);
    await page.getByTestId('refresh').click();
    await expect
      .poll(() => page.getByTestId('refresh-status').textContent(), POLL)
      .toMatch(/revalidateTag\('clock'\) ran at/);
    await expect.poll(async () => (await at(page, 'tagged-time')) !== before.tagged, POLL).toBe(true);
    const after = await times(page);
    expect(after.untagged).toBe(before.untagged);
    expect(after.shell).toBe(before.shell);
    expect(Date.parse(after.tagged!)).toBeGreaterThan(Date.parse(before.tagged!));

    // The new entry is cached in turn.
    await page.reload();
    await hydrated(page);
    expect(await at(page, 'tagged-time')).toBe(after.tagged);
    expect(await at(page, 'untagged-time')).toBe(before.untagged);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('without JavaScript: the server-rendered page shows the cached data; the guestbook form posts and shows the new entry', async () => {
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await noScript.newPage();
      await page.goto(new URL('/?city=Oslo&days=3', app.url).href);
      const first = await times(page);
      expect(first.tagged).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(first.forecast).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await page.locator('.forecast li').count()).toBe(3);
      await page.reload();
      const second = await times(page);
      expect(second.tagged).toBe(first.tagged); // cached, rendered on the server
      expect(second.forecast).toBe(first.forecast);
      expect(second.fresh).not.toBe(first.fresh);
      expect(await page.locator('html[data-hydrated]').count()).toBe(0); // nothing ran in the page

      const message = `no script ${Date.now()}`;
      await page.getByTestId('guestbook-input').fill(message);
      await Promise.all([page.waitForURL(/\/\?city=Oslo&days=3$/), page.getByTestId('guestbook-submit').click()]);
      const entry = page.getByTestId('guestbook-entries').locator('li', { hasText: message });
      await entry.waitFor();
      // The inline action ran on the server with the value its component captured.
      expect(await entry.getAttribute('data-fingerprint')).toBe(fingerprint(CAPTURED));
      expect(await page.content()).not.toContain(CAPTURED);
      expect(app.alive()).toBe(true);
    } finally {
      await noScript.close();
    }
  });

  it('form: the inline action runs with its captured value, which never reaches the browser in clear', async () => {
    const { page, errors, bodies } = await open('/?city=Oslo', { record: true });
    const message = `hello ${Date.now()}`;
    await page.getByTestId('guestbook-input').fill(message);
    await page.getByTestId('guestbook-submit').click();
    const entry = page.getByTestId('guestbook-entries').locator('li', { hasText: message });
    await entry.waitFor();
    // The action saw exactly the value the server component captured.
    expect(await entry.getAttribute('data-fingerprint')).toBe(fingerprint(CAPTURED));

    const flight = await fetchFlight(new URL('/?city=Oslo', app.url).href);
    const html = await (await fetch(app.url)).text();
    const [reference] = boundServerReferences(flight);
    expect(reference, 'the form action is a server reference with bound (encrypted) arguments').toBeDefined();
    expect(JSON.stringify(reference!.bound)).not.toContain(CAPTURED);
    expect(flight).not.toContain(CAPTURED);
    expect(html).not.toContain(CAPTURED);
    expect(await page.content()).not.toContain(CAPTURED);
    expect(
      bodies.some((body) => body.includes(message)),
      'the action response was seen',
    ).toBe(true);
    expect(
      bodies.some((body) => body.includes('createFromFetch') || body.includes('__webpack_require__')),
      'the bundle was seen',
    ).toBe(true);
    for (const body of bodies) expect(body).not.toContain(SERVER_ONLY);
    expect(errors).toEqual([]);
    await page.close();
  });

  describe('action endpoint', () => {
    async function post(id: string, body: string | FormData, headers: Record<string, string> = {}) {
      return fetch(app.url, {
        method: 'POST',
        headers: { origin: new URL(app.url).origin, accept: 'text/x-component', [ACTION_HEADER]: id, ...headers },
        body,
      });
    }

    async function guestbookAction() {
      const [reference] = boundServerReferences(await fetchFlight(app.url));
      const [ciphertext] = reference!.bound;
      expect(typeof ciphertext).toBe('string');
      return { id: reference!.id, ciphertext: ciphertext as string };
    }

    async function signBody(ciphertext: string, message: string) {
      const form = new FormData();
      form.set('message', message);
      return (await encodeReply([ciphertext, form])) as FormData | string;
    }

    const entries = async () => (await fetchFlight(app.url)).match(/data-fingerprint/g)?.length ?? 0;

    it('a genuine call from outside the browser works (the harness encodes like the browser)', async () => {
      const { id, ciphertext } = await guestbookAction();
      const before = await entries();
      const response = await post(id, await signBody(ciphertext, 'from the test'));
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('from the test');
      expect(await entries()).toBe(before + 1);
    });

    it('a forged action id gets 404 and the server keeps serving', async () => {
      const response = await post('f'.repeat(64), '[]');
      expect(response.status).toBe(404);
      const noId = await post('', '[]');
      expect(noId.status).toBeGreaterThanOrEqual(400);
      // Names of real exports are not ids either.
      expect((await post('refreshClock', '[]')).status).toBe(404);
      expect((await fetch(app.url)).status).toBe(200);
      expect(app.alive()).toBe(true);
    });

    it('a tampered bound-argument payload is rejected without running the action', async () => {
      const { id, ciphertext } = await guestbookAction();
      const before = await entries();
      const middle = Math.floor(ciphertext.length / 2);
      const flipped =
        ciphertext.slice(0, middle) + (ciphertext[middle] === 'A' ? 'B' : 'A') + ciphertext.slice(middle + 1);
      for (const bad of [flipped, ciphertext.slice(0, -4), 'not-a-ciphertext', '']) {
        const response = await post(id, await signBody(bad, 'tampered'));
        expect(response.status, `bound value ${JSON.stringify(bad.slice(0, 16))}…`).toBe(400);
        expect(await response.text()).not.toContain('tampered');
      }
      expect(await entries()).toBe(before);
      expect((await fetch(app.url)).status).toBe(200);
      expect(app.alive()).toBe(true);
    });

    it('malformed bodies and cross-origin calls are rejected', async () => {
      const { id } = await guestbookAction();
      expect((await post(id, '{not json')).status).toBe(400);
      const crossOrigin = await post(id, '[]', { origin: 'https://evil.example' });
      expect(crossOrigin.status).toBe(403);
      expect((await fetch(app.url)).status).toBe(200);
      expect(app.alive()).toBe(true);
    });
  });
});

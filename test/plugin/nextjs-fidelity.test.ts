// Code written for Next.js 16 compiles here and means the same thing (docs/coming-from-nextjs.md): pages with
// metadata, exports known only at run time, a function's directive winning over its file's,
// directive-like strings in nested blocks. Each case is compiled with the plugin, imported under
// react-server with the real runtime, and called.
import { beforeEach, describe, expect, it } from 'vitest';
import { encryptBound, encryptOnSend, InvalidBoundArgumentsError, resetCache } from '../../src/runtime/index.js';
import { compileApp } from '../support/compile-app.js';
// @ts-expect-error -- react-server-dom-webpack publishes no types.
import { renderToReadableStream } from 'react-server-dom-webpack/server';

/** What React sends to the browser for `value` (a page's props, say), as text. */
async function renderFlightText(value: unknown): Promise<string> {
  const stream = renderToReadableStream(value, {}) as ReadableStream<Uint8Array>;
  return new Response(stream).text();
}

const SERVER_REFERENCE = Symbol.for('react.server.reference');

beforeEach(() => resetCache());

describe("a 'use cache' page file", () => {
  it('exports metadata and segment config unchanged next to its cached default export', async () => {
    const { module, references } = await compileApp(
      {
        'page.jsx': `
          'use cache';
          export const metadata = { title: 'Posts' };
          export const revalidate = 60;
          export const dynamicParams = false;
          export const instant = true;
          export const title = \`Posts\`;
          export const runs = { n: 0 };
          export default async function Page({ page }) {
            runs.n++;
            return <ul data-page={page}>{runs.n}</ul>;
          }
        `,
      },
      'page.jsx',
    );
    expect(module.metadata).toEqual({ title: 'Posts' });
    expect(module.revalidate).toBe(60);
    expect(module.dynamicParams).toBe(false);
    expect(module.instant).toBe(true);
    expect(module.title).toBe('Posts');
    const first = await module.default({ page: 1 });
    const second = await module.default({ page: 1 });
    expect(second).toEqual(first);
    expect(module.runs.n).toBe(1);
    expect(module.default.$$typeof).toBe(SERVER_REFERENCE);
    // Only the default export is a reference.
    expect(references.map((r) => r.exportName)).toEqual(['default']);
  });
});

describe('exports known only at run time', () => {
  const data = `
    export const runs = { n: 0 };
    export async function getData(x) { runs.n++; return { x, n: runs.n }; }
    export const settings = { theme: 'dark', load: async () => 'loaded' };
    export default async function getDefault() { runs.n++; return 'default ' + runs.n; }
  `;

  it("in a 'use cache' file: functions are cached, other values are exported unchanged", async () => {
    const { module } = await compileApp(
      {
        'data.mjs': data,
        'cached.jsx': `
          'use cache';
          import { getData, settings } from './data.mjs';
          const wrap = (fn) => async (x) => ({ wrapped: await fn(x) });
          export const aliased = getData;
          export const Wrapped = wrap(getData);
          export { settings };
          export { getData as loadData, runs } from './data.mjs';
          export { default as getDefault } from './data.mjs';
          export const { theme, load } = settings;
          export let { 0: first } = [getData];
          export default getData;
        `,
      },
      'cached.jsx',
    );
    const { runs } = module;
    expect(await module.aliased(1)).toEqual({ x: 1, n: 1 });
    expect(await module.aliased(1)).toEqual({ x: 1, n: 1 });
    expect(await module.loadData(1)).toEqual({ x: 1, n: 2 }); // its own reference, its own entries
    expect(await module.loadData(1)).toEqual({ x: 1, n: 2 });
    expect(await module.Wrapped(2)).toEqual({ wrapped: { x: 2, n: 3 } });
    expect(await module.Wrapped(2)).toEqual({ wrapped: { x: 2, n: 3 } });
    expect(await module.first(3)).toEqual({ x: 3, n: 4 });
    expect(await module.first(3)).toEqual({ x: 3, n: 4 });
    expect(await module.default(4)).toEqual({ x: 4, n: 5 });
    expect(await module.default(4)).toEqual({ x: 4, n: 5 });
    expect(await module.getDefault()).toBe('default 6');
    expect(await module.getDefault()).toBe('default 6');
    expect(runs.n).toBe(6);
    // Values that are not functions are exported as they are.
    expect(module.settings).toEqual({ theme: 'dark', load: expect.any(Function) });
    expect(module.theme).toBe('dark');
    expect(module.runs).toBe(runs);
    expect(await module.load()).toBe('loaded');
    expect(module.load.$$typeof).toBe(SERVER_REFERENCE);
  });

  it("in a 'use server' file: functions are registered server references, other values unchanged", async () => {
    const { module } = await compileApp(
      {
        'data.mjs': data,
        'actions.jsx': `
          'use server';
          import { getData, settings } from './data.mjs';
          export const aliased = getData;
          export { settings };
          export { getData as loadData } from './data.mjs';
          export const { load } = settings;
        `,
      },
      'actions.jsx',
    );
    expect(module.aliased.$$typeof).toBe(SERVER_REFERENCE);
    expect(module.loadData.$$typeof).toBe(SERVER_REFERENCE);
    expect(module.load.$$typeof).toBe(SERVER_REFERENCE);
    expect(module.settings.theme).toBe('dark');
    // Actions are not cached: each call runs.
    expect(await module.aliased(1)).toEqual({ x: 1, n: 1 });
    expect(await module.aliased(1)).toEqual({ x: 1, n: 2 });
  });
});

describe("a function's directive wins over its file's", () => {
  it("a 'use cache' function in a 'use server' file is cached and still a server reference", async () => {
    const { module, references, load } = await compileApp(
      {
        'runs.mjs': 'export const runs = { posts: 0, saves: 0 };',
        'actions.jsx': `
          'use server';
          import { runs } from './runs.mjs';
          export async function getPosts(page) {
            'use cache';
            runs.posts++;
            return ['post of page ' + page];
          }
          export const getAuthor = async (id) => {
            'use cache';
            runs.posts++;
            return { id };
          };
          export async function save() {
            runs.saves++;
          }
        `,
      },
      'actions.jsx',
    );
    expect(await module.getPosts(1)).toEqual(['post of page 1']);
    expect(await module.getPosts(1)).toEqual(['post of page 1']);
    expect(await module.getAuthor(7)).toEqual({ id: 7 });
    expect(await module.getAuthor(7)).toEqual({ id: 7 });
    const { runs } = await load('runs.mjs');
    expect(runs.posts).toBe(2);
    await module.save();
    await module.save();
    expect(runs.saves).toBe(2);
    for (const name of ['getPosts', 'getAuthor', 'save']) expect(module[name].$$typeof).toBe(SERVER_REFERENCE);
    expect(references.map((r) => [r.exportName, r.kind])).toEqual([
      ['getPosts', 'cache'],
      ['getAuthor', 'cache'],
      ['save', 'server'],
    ]);
  });

  it("a 'use server' function in a 'use cache' file is an action: it runs on every call", async () => {
    const { module } = await compileApp(
      {
        'page.jsx': `
          'use cache';
          export const runs = { likes: 0 };
          export async function like() {
            'use server';
            return ++runs.likes;
          }
        `,
      },
      'page.jsx',
    );
    expect(await module.like()).toBe(1);
    expect(await module.like()).toBe(2);
    expect(module.like.$$typeof).toBe(SERVER_REFERENCE);
  });
});

describe('directive-like strings in nested blocks', () => {
  it('are ordinary expressions: the code compiles and runs', async () => {
    const { module } = await compileApp(
      {
        'blocks.jsx': `
          export function run(flag) {
            const seen = [];
            if (flag) {
              ;('use server')
              seen.push('if');
            }
            for (const x of [1]) { 'use cache'; seen.push('for ' + x); }
            switch (flag) { case true: 'use sevrer'; seen.push('case'); }
            try { 'use server'; seen.push('try'); } finally { ('use cache'); }
            return seen;
          }
        `,
      },
      'blocks.jsx',
    );
    expect(module.run(true)).toEqual(['if', 'for 1', 'case', 'try']);
  });
});

describe('next/cache imports', () => {
  it('unstable_cache imported from next/cache runs on this runtime and caches', async () => {
    const { module } = await compileApp(
      {
        'legacy.jsx': `
          import { unstable_cache } from 'next/cache';
          export const runs = { n: 0 };
          export const getCount = unstable_cache(async (x) => { runs.n++; return { x, n: runs.n }; }, ['count']);
        `,
      },
      'legacy.jsx',
    );
    const first = await module.getCount(1);
    expect(await module.getCount(1)).toEqual(first);
    expect(module.runs.n).toBe(1);
  });

  it('a name the runtime does not provide is a compile error naming it (E019), not a run-time failure', async () => {
    await expect(
      compileApp(
        { 'action.jsx': `import { revalidatePath } from 'next/cache';\nexport const f = revalidatePath;` },
        'action.jsx',
      ),
    ).rejects.toThrow(/\[use-cache\/E019\] 'revalidatePath' from 'next\/cache' is not provided/);
  });
});

describe("captured values of inline 'use cache' functions travel encrypted", () => {
  const page = `
    export const runs = { n: 0 };
    export async function Page({ apiToken, user }) {
      async function loadVisits(day) {
        'use cache';
        runs.n++;
        return { user, day, visits: apiToken.length };
      }
      return { load: loadVisits };
    }
  `;

  it('the Flight payload of a page holding the bound reference does not contain the secret', async () => {
    const { module } = await compileApp({ 'page.jsx': page }, 'page.jsx');
    const secret = 'sk_live_TOP_SECRET_123';
    // A name with a space: it cannot turn up by chance in a hex id or a base64url ciphertext.
    const { load } = await module.Page({ apiToken: secret, user: 'Ada Lovelace' });
    expect(await load('monday')).toEqual({ user: 'Ada Lovelace', day: 'monday', visits: secret.length });
    // The reference as React sends it to the browser (e.g. a prop of a client component).
    const flight = await renderFlightText({ action: load });
    expect(flight).toContain('$h'); // a server reference with its bound values
    expect(flight).not.toContain(secret);
    expect(flight).not.toContain('Ada Lovelace');
  });

  it('the key still covers the captured values: same values hit, other values miss', async () => {
    const { module } = await compileApp({ 'page.jsx': page }, 'page.jsx');
    // Each render binds the values anew (a new holder, a new ciphertext if sent): the entry is the same.
    const first = (await module.Page({ apiToken: 'a', user: 'ada' })).load;
    const again = (await module.Page({ apiToken: 'a', user: 'ada' })).load;
    const other = (await module.Page({ apiToken: 'a', user: 'bob' })).load;
    await first('monday');
    await again('monday');
    expect(module.runs.n).toBe(1);
    expect(await other('monday')).toEqual({ user: 'bob', day: 'monday', visits: 1 });
    expect(module.runs.n).toBe(2);
  });

  it('a forged, tampered or foreign capture is rejected before the body runs', async () => {
    const { module, references } = await compileApp({ 'page.jsx': page }, 'page.jsx');
    const { id } = references.find((r) => r.kind === 'cache')!;
    const { load } = await module.Page({ apiToken: 'secret', user: 'ada' });
    const cached = module.$$cache_0;
    const sealed = await encryptOnSend(id, ['ada', 6]); // the ciphertext a client gets; user, apiToken.length: in order of first use
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    const foreign = await encryptBound('another-reference', ['mallory', 'secret']);
    for (const bad of [tampered, foreign, 'not a ciphertext', JSON.stringify(['mallory', 'secret']), undefined]) {
      await expect(cached(bad, 'monday')).rejects.toThrow(InvalidBoundArgumentsError);
    }
    // What a client would send if it could choose the values: plain ones.
    await expect(cached(['mallory', 'secret'], 'monday')).rejects.toThrow(
      /tampered bound arguments for cached function/,
    );
    expect(module.runs.n).toBe(0);
    expect(await cached(sealed, 'monday')).toEqual({ user: 'ada', day: 'monday', visits: 6 });
    expect(await load('monday')).toEqual({ user: 'ada', day: 'monday', visits: 6 });
    expect(module.runs.n).toBe(1);
  });
});

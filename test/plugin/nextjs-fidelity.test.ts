// Code written for Next.js 16 compiles here and means the same thing (docs/coming-from-nextjs.md): pages with
// metadata, exports known only at run time, a function's directive winning over its file's,
// directive-like strings in nested blocks. Each case is compiled with the plugin, imported under
// react-server with the real runtime, and called.
import { beforeEach, describe, expect, it } from 'vitest';
import { resetCache } from '../../src/runtime/index.js';
import { compileApp } from '../support/compile-app.js';

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

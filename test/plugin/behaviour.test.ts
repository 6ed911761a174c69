// Behaviour of compiled code: fixtures and small sources are compiled against the recording
// runtime (test/support/recording-runtime.ts), written to test/.out/, imported and called.
import { transformAsync } from '@babel/core';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import plugin from '../../src/plugin/index.js';
import { listFixtures, repoRoot } from '../support/fixtures.js';
import { serverReferencesOf } from '../support/metadata.js';
import * as rt from '../support/recording-runtime.js';

const RUNTIME = join(repoRoot, 'test/support/recording-runtime.ts');
const outDir = join(repoRoot, 'test/.out/behaviour');
mkdirSync(outDir, { recursive: true });

interface Loaded {
  module: Record<string, any>;
  references: { id: string; exportName: string; kind: string; captures: string[] }[];
  code: string;
}

let counter = 0;
async function load(source: string, options: Record<string, unknown> = {}, usePlugin = true): Promise<Loaded> {
  const name = `m${counter++}-${usePlugin ? 'compiled' : 'plain'}`;
  const result = await transformAsync(source, {
    filename: join(repoRoot, 'src/app', `${name}.jsx`),
    root: repoRoot,
    cwd: repoRoot,
    configFile: false,
    babelrc: false,
    sourceType: 'module',
    presets: [['@babel/preset-react', { runtime: 'automatic' }]],
    plugins: usePlugin ? [[plugin, { runtime: RUNTIME, ...options }]] : [],
  });
  const file = join(outDir, `${name}.mjs`);
  writeFileSync(file, result!.code!);
  const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, any>;
  const references = usePlugin ? serverReferencesOf(result) : [];
  return { module, references, code: result!.code! };
}

const fixtureSource = (group: string, name: string): string => {
  const fixture = listFixtures().find((f) => f.group === group && f.name === name)!;
  return readFileSync(fixture.inputFile, 'utf8');
};

beforeEach(() => rt.reset());

describe('use cache: a cached function runs its body once per arguments', () => {
  it('module-level declaration, callable before its line', async () => {
    const { module, references } = await load(`
      export const early = () => getUser(1);
      export let runs = 0;
      export async function getUser(id) {
        'use cache';
        runs++;
        return { id, at: runs };
      }
    `);
    expect(await module.early()).toEqual({ id: 1, at: 1 });
    expect(await module.getUser(1)).toEqual({ id: 1, at: 1 });
    expect(await module.getUser(2)).toEqual({ id: 2, at: 2 });
    expect(module.runs).toBe(2);
    const id = references[0]!.id;
    expect(rt.executions.get(id)).toBe(2);
    expect(rt.invocations.get(id)).toBe(3);
    // The declaration itself is registered, so it can be passed to client components.
    expect(rt.registrations.some((r) => r.id === id && r.fn === module.getUser)).toBe(true);
  });

  it('file-level: every export form is cached; non-functions pass through cacheExport', async () => {
    const { module, references } = await load(`
      'use cache';
      let n = 0;
      const make = () => async (x) => ({ made: x, n: ++n });
      export async function a(x) { return { a: x, n: ++n }; }
      export const b = async (x) => ({ b: x, n: ++n });
      async function c(x) { return { c: x, n: ++n }; }
      export { c as renamed };
      export const made = make();
      export const value = Promise.resolve(7);
      export default async function (x) { return { d: x, n: ++n }; }
    `);
    for (const name of ['a', 'b', 'renamed', 'made', 'default']) {
      const first = await module[name]('x');
      expect(await module[name]('x')).toBe(first);
    }
    expect(await module.value).toBe(7);
    expect(references.map((r) => r.exportName).sort()).toEqual(['a', 'b', 'default', 'made', 'renamed', 'value']);
    for (const r of references) if (r.exportName !== 'value') expect(rt.executions.get(r.id)).toBe(1);
  });

  it('object methods, static methods and nested cached functions', async () => {
    const { module } = await load(`
      let runs = 0;
      export const api = { async twice(x) { 'use cache'; runs++; return x * 2; } };
      export class Users { static async find(id) { 'use cache'; runs++; return { id }; } }
      export async function Page(id, locale) {
        const outer = async (day) => {
          'use cache';
          runs++;
          const inner = async (hour) => { 'use cache'; runs++; return id + '/' + locale + '/' + day + '/' + hour; };
          return [await inner(1), await inner(1), await inner(2)];
        };
        return [await outer(7), await outer(7)];
      }
      export const count = () => runs;
    `);
    expect(await module.api.twice(2)).toBe(4);
    expect(await module.api.twice(2)).toBe(4);
    expect(await module.Users.find(1)).toEqual({ id: 1 });
    expect(await module.Users.find(1)).toEqual({ id: 1 });
    expect(module.count()).toBe(2);
    const [first, second] = await module.Page('u', 'en');
    expect(first).toEqual(['u/en/7/1', 'u/en/7/1', 'u/en/7/2']);
    expect(second).toBe(first);
    expect(module.count()).toBe(2 + 1 + 2);
  });

  it('captured values are part of the key', async () => {
    const { module, references } = await load(`
      export function make(user) {
        return async (x) => { 'use cache'; return user.name + ':' + x; };
      }
    `);
    expect(await module.make({ name: 'ada' })(1)).toBe('ada:1');
    expect(await module.make({ name: 'ada', other: 1 })(1)).toBe('ada:1');
    expect(await module.make({ name: 'bob' })(1)).toBe('bob:1');
    expect(rt.executions.get(references[0]!.id)).toBe(2);
    expect(references[0]!.captures).toEqual(['user.name']);
  });

  it('a cached component receives its props and children', async () => {
    const { module } = await load(`
      export async function Card({ title, children }) {
        'use cache';
        return <section title={title}>{children}</section>;
      }
    `);
    const element = await module.Card({ title: 'T', children: 'child' });
    expect(element.props).toEqual({ title: 'T', children: 'child' });
  });

  it('nested declarations keep hoisting: before their line, and before their captures exist', async () => {
    const { module } = await load(`
      export async function withoutCaptures() {
        const value = await compute(2);
        async function compute(n) { 'use cache'; return n * 2; }
        return value;
      }
      export async function usedEarly(id) {
        const early = () => render();
        const prefix = 'user-' + id;
        async function render() { 'use cache'; return prefix; }
        return early();
      }
      export async function reassigned(name) {
        let label = 'draft';
        label = name;
        async function describe(x) { 'use cache'; return label + x; }
        return describe('!');
      }
    `);
    expect(await module.withoutCaptures()).toBe(4);
    expect(await module.usedEarly(3)).toBe('user-3');
    expect(await module.reassigned('ada')).toBe('ada!');
  });
});

describe('use server', () => {
  it('inline actions get their captured values back through encryptBound/decryptBound', async () => {
    const { module, references } = await load(`
      export function Page({ user }) {
        async function rename(formData) {
          'use server';
          return user.id + ':' + formData;
        }
        const remove = async (why = user.name) => { 'use server'; return 'removed ' + why; };
        return { rename, remove, form: <form action={rename} /> };
      }
    `);
    const page = module.Page({ user: { id: 7, name: 'ada' } });
    expect(await page.rename('new')).toBe('7:new');
    expect(await page.remove()).toBe('removed ada');
    expect(page.form.props.action).toBe(page.rename);
    const ids = references.map((r) => r.id);
    expect(rt.registrations.map((r) => r.id)).toEqual(expect.arrayContaining(ids));
    // The lifted actions are exported under their generated names.
    expect(typeof module.$$server_0).toBe('function');
    await expect(module.$$server_0({ id: 'someone else', values: [1] }, 'x')).rejects.toThrow(/another reference/);
  });

  it('file-level: exports stay callable and are registered', async () => {
    const { module, references } = await load(`
      'use server';
      export async function a(x) { return 'a' + x; }
      export const b = async (x) => 'b' + x;
      export default async function (x) { return 'd' + x; }
    `);
    expect(await module.a(1)).toBe('a1');
    expect(await module.b(1)).toBe('b1');
    expect(await module.default(1)).toBe('d1');
    expect(rt.registrations.map((r) => r.id).sort()).toEqual(references.map((r) => r.id).sort());
    expect(rt.registrations.find((r) => r.fn === module.a)).toBeDefined();
  });
});

describe('client layer', () => {
  it('stubs call the server with the same ids as the server layer', async () => {
    const source = `
      'use server';
      import secret from './does-not-exist.js';
      export async function save(x) { return secret(x); }
      export default async function () {}
    `;
    const client = await load(source, { layer: 'client' });
    const server = await transformAsync(source, {
      filename: join(repoRoot, 'src/app', 'x.jsx'),
      root: repoRoot,
      configFile: false,
      babelrc: false,
      plugins: [[plugin, {}]],
    });
    await client.module.save(1);
    await client.module.default();
    const serverIds = serverReferencesOf(server).map((r) => r.exportName);
    expect(serverIds.sort()).toEqual(client.references.map((r) => r.exportName).sort());
    expect(rt.serverCalls.map((c) => c.id)).toEqual(client.references.map((r) => r.id));
    expect(client.code).not.toContain('does-not-exist');
  });

  it('a function exported under several names has a stub under every name, all calling one reference', async () => {
    const source = fixtureSource('use-cache-file', 'exported-under-two-names');
    const server = await load(source);
    const client = await load(source, { layer: 'client' });
    expect(await server.module.loadUser(1)).toEqual({ id: 1 });
    expect(await server.module.getUser(1)).toEqual({ id: 1 });
    expect(rt.executions.get(server.references[0]!.id)).toBe(1); // one reference: the second name hits
    for (const name of ['loadUser', 'getUser', 'default']) await client.module[name](name);
    // (the two loads compile under different file names, so their ids differ from each other)
    expect(client.references).toHaveLength(1);
    const id = client.references[0]!.id;
    expect(rt.serverCalls).toEqual([
      { id, args: ['loadUser'] },
      { id, args: ['getUser'] },
      { id, args: ['default'] },
    ]);
  });
});

describe('compiled closures return what the original returns', () => {
  // Self-contained capture fixtures, compiled with and without the plugin, called alike.
  const cases: [string, (m: Record<string, any>) => Promise<unknown>][] = [
    ['member-chain', (m) => m.outer({ profile: { name: 'a', age: 3 } })()],
    [
      'call-callee', // the methods read `this`: a detached call would throw or lose it
      (m) =>
        m.outer(
          {
            users: {
              tag: 't',
              count: 2,
              list(this: { tag: string }, x: number) {
                return [x, this.tag];
              },
            },
          },
          {
            v: 1,
            first(this: { v: number }) {
              return this.v;
            },
          },
          (a: unknown, b: unknown) => [a, b],
        )(),
    ],
    ['computed-access', (m) => m.outer({ k: { value: 2 }, size: 3 }, 'k')()],
    [
      'optional-chain',
      (m) => Promise.all([m.outer({ theme: { color: 'red', font: null }, load: () => 1 })(), m.outer(undefined)()]),
    ],
    ['prefix-dedupe', (m) => m.outer({ name: 'n' })()],
    ['first-appearance-order', (m) => m.outer({ x: 1 }, 2, 3)()],
    ['shadowing-params-and-locals', (m) => m.outer(1, 'outer', [1, 2])(5)],
    ['var-and-function-hoisting', (m) => m.outer(true)()],
    ['destructured-params', (m) => m.outer({ id: 1, user: { name: 'n' } }, [1, 2, 3])({ page: 2 }, [9])],
    ['default-parameter-values', (m) => Promise.all([m.outer({ max: 5 }, 'f')(), m.outer({ max: 5 }, 'f')(1, 'x')])],
    ['catch-binding', (m) => m.outer().catch((e: Error) => e.message)],
    ['member-assignment-target', (m) => m.outer({ count: 0 }, { items: [1, 2] })()],
    ['loop-bindings', async (m) => Promise.all(m.outer([{ id: 'a' }, { id: 'b' }]).map((f: () => unknown) => f()))],
    ['shorthand-property', (m) => m.outer(1, 'n')()],
  ];
  it.each(cases)('capture/%s', async (name, call) => {
    const source = fixtureSource('capture', name);
    const compiled = await load(source);
    const plain = await load(source, {}, false);
    expect(await call(compiled.module)).toEqual(await call(plain.module));
  });
});

describe('tricky closures behave like the original', () => {
  const programs: [string, string][] = [
    [
      'declarations in a switch case and a loop',
      `export async function run(kind, items) {
        const out = [];
        switch (kind) {
          case 'a': {
            async function label(x) { 'use cache'; return kind + x; }
            out.push(await label(1));
            break;
          }
          default:
            out.push('none');
        }
        for (const item of items) {
          async function show() { 'use cache'; return item.name; }
          out.push(await show());
        }
        return out;
      }`,
    ],
    [
      'a nested declaration capturing another one',
      `export async function run(base) {
        const first = await twice(1);
        async function twice(x) { 'use cache'; return x * 2 + base; }
        async function quad(x) { 'use cache'; return twice(await twice(x)); }
        return [first, await quad(3)];
      }`,
    ],
    [
      'a nested declaration capturing a later one',
      `export async function run(base) {
        async function quad(x) { 'use cache'; return twice(await twice(x)); }
        async function twice(x) { 'use cache'; return x * 2 + base.value; }
        return quad(3);
      }`,
    ],
    [
      'shadowing in nested blocks and catch clauses',
      `export async function run(x) {
        let y = x + 1;
        const f = async (z) => {
          'use cache';
          let acc = [];
          { const x = 'inner'; acc.push(x); }
          try { throw new Error('e' + y); } catch (y) { acc.push(y.message); }
          acc.push(x, y, z);
          return acc;
        };
        return f(3);
      }`,
    ],
    [
      'destructuring with defaults and rest in both functions',
      `export async function run({ a = 1, b: { c } = { c: 2 }, ...rest } = {}, ...more) {
        const f = async ({ d = a } = {}, [e = c] = [], ...tail) => {
          'use cache';
          return [a, c, rest, more, d, e, tail];
        };
        return [await f(), await f({ d: 9 }, [8], 7)];
      }`,
    ],
    [
      'server action default params and rest reading captures',
      `export async function run(prefix) {
        const act = async (name = prefix.value, ...others) => { 'use server'; return [name, others]; };
        return [await act(), await act('x', 1, 2)];
      }`,
    ],
    [
      'a later declaration without captures does not move an earlier one with captures',
      `export async function run() {
        const out = [];
        const { n: v0 } = { n: 5 };
        async function f2() { 'use cache'; return v0; }
        out.push(await f2());
        async function f3() { 'use cache'; return 7; }
        out.push(await f3());
        return out;
      }`,
    ],
    [
      'a module-level block and an object with methods',
      `let result;
      {
        const scale = 3;
        const api = { async times(x) { 'use cache'; return x * scale; }, plain: (x) => x };
        result = api;
      }
      export async function run(n) { return [await result.times(n), result.plain(n)]; }`,
    ],
  ];
  it.each(programs)('%s', async (_name, source) => {
    const compiled = await load(source);
    const plain = await load(source, {}, false);
    const args = [{ value: 'v', name: 'n' }, [{ name: 'i1' }, { name: 'i2' }]];
    const call = (m: Record<string, any>) => m.run(...(_name.includes('switch') ? ['a', args[1]] : args));
    expect(await call(compiled.module)).toEqual(await call(plain.module));
  });
});

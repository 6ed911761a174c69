// Keys that follow the code (docs/runtime.md#keys): the plugin emits a hash of the code each
// cached function's results depend on within its file, and the runtime keys by it. An edited
// function never reads entries of its old code; an unchanged one keeps them across restarts,
// folders and machines. Compile-level checks first, then real processes sharing a filesystem cache.
import { transformAsync } from '@babel/core';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import plugin from '../../src/plugin/index.js';
import { cacheFunction, resetCache } from '../../src/runtime/index.js';
import { compiledRuntime } from '../handlers/support/compile-handlers.js';

const scratch = mkdtempSync(join(tmpdir(), 'use-cache-code-keys-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function compile(source: string, root = '/srv/app', runtime?: string): Promise<string> {
  const result = await transformAsync(source, {
    filename: join(root, 'lib/data.js'),
    root,
    cwd: root,
    configFile: false,
    babelrc: false,
    sourceType: 'module',
    sourceMaps: true,
    plugins: [[plugin, runtime ? { runtime } : {}]],
  });
  return result!.code!;
}

/** The code hash of each cached function, by the name it was declared with. */
async function codeHashes(source: string, root?: string): Promise<Record<string, string>> {
  const code = await compile(source, root);
  const hashes: Record<string, string> = {};
  for (const match of code.matchAll(/cacheFunction\("[0-9a-f]+", "default", ([^]*?)code: "([0-9a-f]{64})"/g)) {
    const name = /^async (?:function )?(\w+)/.exec(match[1]!)?.[1] ?? `#${Object.keys(hashes).length}`;
    hashes[name] = match[2]!;
  }
  return hashes;
}

const v1 = `
  import { db } from './db.js';
  const TABLE = 'products';
  function format(row) {
    return { ...row, label: row.name.toUpperCase() };
  }
  export async function getProduct(id) {
    'use cache';
    return format(await db.get(TABLE, id));
  }
  export async function getCount() {
    'use cache';
    return db.count('orders');
  }
  export async function Page({ user }) {
    async function visits(day) {
      'use cache';
      return db.visits(user.id, day);
    }
    return visits;
  }
`;

describe('the code hash the plugin emits', () => {
  it('is the same from another folder, with other comments, whitespace and quotes', async () => {
    const reference = await codeHashes(v1);
    expect(Object.keys(reference)).toEqual(['getProduct', 'getCount', 'visits']);
    expect(await codeHashes(v1, '/home/someone/elsewhere')).toEqual(reference);
    const reformatted = v1
      .replace('return db.count', '// counts orders\n      return   db.count')
      .replace("'orders'", '"orders"')
      .replace(/\n\s*\n/g, '\n');
    expect(await codeHashes(reformatted)).toEqual(reference);
  });

  it('changes for an edited function only', async () => {
    const reference = await codeHashes(v1);
    const edited = await codeHashes(v1.replace("db.count('orders')", "db.count('orders', { paid: true })"));
    expect(edited.getCount).not.toBe(reference.getCount);
    expect(edited.getProduct).toBe(reference.getProduct);
    expect(edited.visits).toBe(reference.visits);
  });

  it('follows module-level helpers and constants of the file that the function uses', async () => {
    const reference = await codeHashes(v1);
    const helper = await codeHashes(v1.replace('row.name.toUpperCase()', 'row.name.trim()'));
    expect(helper.getProduct).not.toBe(reference.getProduct);
    expect(helper.getCount).toBe(reference.getCount);
    const constant = await codeHashes(v1.replace("const TABLE = 'products'", "const TABLE = 'items'"));
    expect(constant.getProduct).not.toBe(reference.getProduct);
    expect(constant.getCount).toBe(reference.getCount);
  });

  it('of a function follows the inline cached functions it binds', async () => {
    const source = `
      export async function report(user) {
        'use cache';
        const byDay = async (day) => {
          'use cache';
          return [user, day, 1];
        };
        return byDay(1);
      }
    `;
    const before = await codeHashes(source);
    const after = await codeHashes(source.replace('[user, day, 1]', '[user, day, 2]'));
    expect(Object.values(after)).toHaveLength(2);
    for (const name of Object.keys(before)) expect(after[name]).not.toBe(before[name]);
  });
});

describe('cacheFunction keys by its code hash', () => {
  it('one id with another code hash, or none (code compiled without it), has entries of its own', async () => {
    resetCache();
    const runs: string[] = [];
    const version = (label: string) => async (id: number) => {
      runs.push(label);
      return label + id;
    };
    const a = cacheFunction('same-id', 'default', version('a'), { params: 1, code: 'aaaa' });
    const b = cacheFunction('same-id', 'default', version('b'), { params: 1, code: 'bbbb' });
    const old = cacheFunction('same-id', 'default', version('old'));
    const a2 = cacheFunction('same-id', 'default', version('a2'), { params: 1, code: 'aaaa' });
    expect([await a(1), await b(1), await old(1), await a2(1)]).toEqual(['a1', 'b1', 'old1', 'a1']);
    expect(runs).toEqual(['a', 'b', 'old']);
  });

  it('rejects a code that is not a non-empty string', () => {
    for (const code of ['', 42, 'a\0b']) {
      expect(() => cacheFunction('bad', 'default', async () => 1, { code: code as string })).toThrow(
        /options.code must be a non-empty string/,
      );
    }
  });
});

/** A server process: the compiled module's two functions called once each, written through flush(). */
const PROCESS = `
  const [runtimeDir, moduleFile, cacheDir] = process.argv.slice(1);
  const runtime = await import(runtimeDir + '/index.js');
  const { createFsHandler } = await import(runtimeDir + '/handlers/fs.js');
  runtime.configureCache({ handlers: { default: createFsHandler({ dir: cacheDir }) } });
  const app = await import(moduleFile);
  const product = await app.getProduct(1);
  const count = await app.getCount();
  await runtime.flush();
  process.stdout.write(JSON.stringify({ product, count, runs: app.runs }));
  process.exit(0);
`;

const app = (productVersion: string, comment = '') => `
  export const runs = { product: 0, count: 0 };
  ${comment}
  export async function getProduct(id) {
    'use cache';
    runs.product++;
    return { id, version: '${productVersion}', pid: process.pid };
  }
  export async function getCount() {
    'use cache';
    runs.count++;
    return { count: 3, pid: process.pid };
  }
`;

interface Served {
  product: { version: string; pid: number };
  count: { pid: number };
  runs: { product: number; count: number };
}

let apps = 0;
async function serve(source: string, cacheDir: string): Promise<Served> {
  const runtimeDir = await compiledRuntime();
  // Each build in a folder of its own: the absolute path must not change ids or code hashes.
  const root = join(scratch, `build-${apps++}`);
  mkdirSync(join(root, 'lib'), { recursive: true });
  const file = join(root, 'lib/data.mjs');
  writeFileSync(file, await compile(source, root, join(runtimeDir, 'index.js')));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions', 'react-server', '--input-type=module', '-e', PROCESS, runtimeDir, file, cacheDir],
    { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
  );
  return JSON.parse(stdout) as Served;
}

describe('with the filesystem handler, across processes', () => {
  it('an unchanged function keeps its entries; an edited one never reads its old ones', async () => {
    const cacheDir = join(scratch, 'cache');
    const first = await serve(app('v1'), cacheDir);
    expect(first.runs).toEqual({ product: 1, count: 1 });

    // A restart (another folder, a comment added): every entry is still there.
    const restarted = await serve(app('v1', '// a comment'), cacheDir);
    expect(restarted.runs).toEqual({ product: 0, count: 0 });
    expect(restarted.product.pid).toBe(first.product.pid);

    // getProduct edited: it computes anew; getCount, unchanged, still hits.
    const edited = await serve(app('v2'), cacheDir);
    expect(edited.runs).toEqual({ product: 1, count: 0 });
    expect(edited.product.version).toBe('v2');
    expect(edited.count.pid).toBe(first.count.pid);

    // Back to the first code (a rollback): its entries were never overwritten.
    const rolledBack = await serve(app('v1'), cacheDir);
    expect(rolledBack.runs).toEqual({ product: 0, count: 0 });
    expect(rolledBack.product).toEqual(first.product);
  });
});

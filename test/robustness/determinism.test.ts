// Determinism (docs/robustness.md): the same file compiled in two folders, by two processes (the CLI), with a
// different working directory, time zone and locale, gives byte-identical code, source maps,
// metadata and manifest; ids are sha256(salt, path relative to the root, export name) and the
// output holds no absolute path, time or random value. Compiling other files in between (same
// process, same plugin instance) changes nothing either.
import { transformSync } from '@babel/core';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { babelOptions } from '../../src/cli/compile.js';
import plugin from '../../src/plugin/index.js';
import { runCliAsync, type CliResult } from '../cli/built.js';

const SOURCES: Record<string, string> = {
  'app/cached.js': `'use cache';
import { db } from './db';
export async function getUser(id) {
  return db.user(id);
}
export const getPost = async (id) => db.post(id);
export default async function () {
  return db.all();
}
async function local(x) {
  return x;
}
export { local as renamed };
export const notAFunction = db.value;
`,
  'app/actions.ts': `'use server';
import type { User } from './types';
export async function save(user: User, data: FormData): Promise<void> {
  await fetch('/save', { method: 'POST', body: data });
}
export const remove = async (id: string) => id;
export interface Ignored { id: string }
`,
  'app/page.tsx': `import { cacheTag } from 'next/cache';
export default async function Page({ user, params }: { user: { id: string; name: string }; params: { slug: string } }) {
  const prefix = 'post:';
  async function load(n: number) {
    'use cache: remote';
    cacheTag(prefix + params.slug);
    return [user.name, params?.slug, n];
  }
  const save = async (form: FormData) => {
    'use server';
    return [user.id, form.get('x')];
  };
  return <form action={save}>{await load(1)}</form>;
}
`,
  'app/nested/deep.js': `export async function outer(a, { b, c: [d] = [] } = {}) {
  const helper = {
    async method(x) {
      'use cache';
      return [a, b, d, x];
    },
  };
  class Service {
    static async find(q) {
      'use cache';
      return q + a;
    }
  }
  const inner = async () => {
    'use server';
    const again = async () => {
      'use cache';
      return b;
    };
    return again;
  };
  return [helper, Service, inner];
}
`,
};

const require = createRequire(import.meta.url);

const idOf = (salt: string, rel: string, exportName: string) =>
  createHash('sha256').update(`${salt}\0${rel}\0${exportName}`).digest('hex');

let base: string;
let rootA: string;
let rootB: string;

beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'use-cache-determinism-'));
  rootA = path.join(base, 'machine-a', 'project');
  rootB = path.join(base, 'machine b', 'home', 'someone', 'elsewhere');
  for (const root of [rootA, rootB]) {
    for (const [rel, text] of Object.entries(SOURCES)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
  }
}, 300_000);
afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

/** No absolute path of either folder, the temp folder or the home folder; no time stamp. */
function expectNothingLocal(text: string) {
  for (const local of [base, rootA, rootB, os.tmpdir(), os.homedir(), process.cwd()]) expect(text).not.toContain(local);
  expect(text).not.toMatch(/\b1[6-9]\d{11}\b/); // a millisecond time stamp of these years
  expect(text).not.toMatch(/\b20\d\d-\d\d-\d\dT\d\d:/); // an ISO date
}

interface Runs {
  a: CliResult;
  b: CliResult;
}
const transforms = new Map<string, Runs>();
let manifests: Runs;

/** All the processes at once: two per file (one per folder) and two manifests. */
async function runAll() {
  const files = Object.keys(SOURCES);
  const jobs = files.map(async (rel) => {
    const [a, b] = await Promise.all([
      runCliAsync(['transform', rel, '--source-maps', '--hash-salt', 'salt'], {
        cwd: rootA,
        env: { TZ: 'UTC', LANG: 'C' },
      }),
      runCliAsync(['transform', path.join(rootB, rel), '--root', rootB, '--source-maps', '--hash-salt', 'salt'], {
        cwd: '/',
        env: { TZ: 'Asia/Kolkata', LANG: 'fr_FR.UTF-8' },
      }),
    ]);
    transforms.set(rel, { a, b });
  });
  const manifestJob = Promise.all([
    runCliAsync(['manifest', ...files, '--hash-salt', 'salt'], { cwd: rootA }),
    runCliAsync(
      ['manifest', ...[...files].reverse().map((f) => path.join(rootB, f)), '--root', rootB, '--hash-salt', 'salt'],
      { cwd: os.tmpdir() },
    ),
  ]).then(([a, b]) => (manifests = { a, b }));
  await Promise.all([...jobs, manifestJob]);
}

const presetTypescript = require.resolve('@babel/preset-typescript');

function compileInProcess(rel: string, root: string, cwd: string) {
  return transformSync(SOURCES[rel]!, {
    filename: path.join(root, rel),
    root,
    cwd,
    configFile: false,
    babelrc: false,
    presets: rel.endsWith('.js') ? [] : [[presetTypescript, { isTSX: true, allExtensions: true }]],
    parserOpts: { plugins: rel.endsWith('.js') ? ['jsx'] : [] },
    plugins: [[plugin, { hashSalt: 'salt' }]],
  })!;
}

describe('determinism', { timeout: 180_000 }, () => {
  beforeAll(runAll, 240_000);

  it.each(Object.keys(SOURCES))(
    '%s: byte-identical from two folders, two processes, other cwd, TZ and locale',
    (rel) => {
      const { a, b } = transforms.get(rel)!;
      expect(a.stderr).toBe('');
      expect(a.status).toBe(0);
      expect(b.stderr).toBe('');
      expect(b.stdout).toBe(a.stdout);
      expectNothingLocal(a.stdout);
      const map = /base64,(\S+)$/.exec(a.stdout.trim())![1]!;
      expectNothingLocal(Buffer.from(map, 'base64').toString('utf8'));
    },
  );

  it('ids are sha256(salt, path relative to the root, export name), in code and manifest alike', () => {
    const manifest = JSON.parse(manifests.a.stdout) as Record<string, { file: string; exportName: string }>;
    expect(Object.keys(manifest).length).toBeGreaterThan(10);
    for (const [id, entry] of Object.entries(manifest)) {
      expect(id).toBe(idOf('salt', entry.file, entry.exportName));
      expect(transforms.get(entry.file)!.a.stdout).toContain(id);
    }
  });

  it('the manifest of the whole folder is byte-identical from both folders', () => {
    expect(manifests.a.status).toBe(0);
    expect(manifests.b.stdout).toBe(manifests.a.stdout);
    expectNothingLocal(manifests.a.stdout);
  });

  it('in process (@babel/core, other root and cwd): the code the CLI printed', () => {
    for (const rel of Object.keys(SOURCES)) {
      const options = babelOptions({ filename: path.join(rootB, rel), root: rootB, flags: { hashSalt: 'salt' } });
      const inProcess = transformSync(SOURCES[rel]!, { ...options, cwd: os.tmpdir() })!.code!;
      const printed = transforms.get(rel)!.a.stdout.replace(/\/\/# sourceMappingURL=.*\n?$/, '');
      expect(printed).toBe(`${inProcess}\n`);
    }
  });

  it('in process: compiling other files in between (same plugin instance) changes nothing', () => {
    const first = Object.keys(SOURCES).map((rel) => compileInProcess(rel, rootA, '/'));
    const again = [...Object.keys(SOURCES)]
      .reverse()
      .map((rel) => compileInProcess(rel, rootB, os.tmpdir()))
      .reverse();
    for (let i = 0; i < first.length; i++) {
      expect(again[i]!.code).toBe(first[i]!.code);
      expect(again[i]!.metadata).toEqual(first[i]!.metadata);
    }
  });
});

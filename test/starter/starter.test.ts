// The starter test: what a new user does, to the letter. Packs the package, makes a fresh project
// in a temp folder, installs the tarball and exactly what README's Install lists, writes the
// Quick start's files as README shows them, builds with README's command, prunes dev
// dependencies and runs the result under `node --conditions react-server`: a hit, a Server Action
// calling revalidateTag, a cached component. Every file and command comes from README.md itself.
// Needs the npm registry (the installs); nothing else leaves the machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, commandsOf, filesOf, readDoc, REPO, section } from '../support/readme.js';

const readme = readDoc('README.md');
const install = commandsOf(section(readme, 'Install'));
const quickStart = section(readme, 'Quick start');
const quickStartFiles = filesOf(quickStart);
const quickStartCommands = commandsOf(quickStart);
const expectedOutput = codeBlocks(quickStart).find((block) => block.lang === 'text')!.code;

/** The environment of a user's shell: nothing from npm test, vitest or this repository. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(npm_package_|npm_lifecycle_|npm_config_(prefix|local_prefix|global)|VITEST|NODE_OPTIONS$|NODE_ENV$|INIT_CWD$)/.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

function sh(command: string, cwd: string): { stdout: string; stderr: string } {
  const result = spawnSync('sh', ['-c', command], { cwd, env: userEnv(), encoding: 'utf8', timeout: 240_000 });
  if (result.status !== 0) {
    throw new Error(`\`${command}\` failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

let work: string;
let project: string;
let tarball: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'use-cache-starter-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: REPO,
      env: userEnv(),
      encoding: 'utf8',
    }),
  ) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(work, packed[0]!.filename);
  project = path.join(work, 'app');
  mkdirSync(project);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('README, followed to the letter in a fresh project', { timeout: 600_000 }, () => {
  it('README has what the test needs', () => {
    expect(install.length).toBeGreaterThan(1);
    expect(install.every((line) => line.startsWith('npm install '))).toBe(true);
    expect([...quickStartFiles.keys()]).toEqual(
      expect.arrayContaining(['babel.config.json', 'src/products.tsx', 'src/actions.ts', 'src/main.ts']),
    );
    expect(quickStartCommands.some((line) => line.startsWith('node '))).toBe(true);
  });

  it('installs, builds, type-checks, prunes dev dependencies and runs: a hit, a Server Action, a cached component', () => {
    sh('npm init -y', project);
    // The package name becomes the tarball: the same install, from what `npm pack` produced.
    for (const line of install) sh(line.replace(/ babel-plugin-use-cache(?= |$)/, ` ${tarball}`), project);

    for (const [name, code] of quickStartFiles) {
      mkdirSync(path.dirname(path.join(project, name)), { recursive: true });
      writeFileSync(path.join(project, name), code);
    }
    const run = quickStartCommands.filter((line) => line.startsWith('node '));
    for (const line of quickStartCommands.filter((line) => !line.startsWith('node '))) sh(line, project);

    // Type checking, as strict as it gets (skipLibCheck off: the package's .d.ts files are
    // checked too), plus profile names: a typo fails, a declared custom profile passes.
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          jsx: 'react-jsx',
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
        },
        include: ['src', 'types-probe.ts'],
      }),
    );
    writeFileSync(
      path.join(project, 'types-probe.ts'),
      [
        "import plugin, { type PluginOptions } from 'babel-plugin-use-cache';",
        "import { cacheLife, configureCache } from 'babel-plugin-use-cache/runtime';",
        "import { createFsHandler } from 'babel-plugin-use-cache/handlers/fs';",
        "import { createRedisHandler } from 'babel-plugin-use-cache/handlers/redis';",
        "import { createMemoryHandler } from 'babel-plugin-use-cache/handlers/memory';",
        "import { setCallServer } from 'babel-plugin-use-cache/client';",
        section(readme, 'The runtime in brief').match(/```ts\n([\s\S]*?)```/)![1],
        "export const options: PluginOptions = { layer: 'server' } as PluginOptions;",
        'export const babelPlugin = plugin;',
        'export async function probe() {',
        "  cacheLife('hours');",
        "  cacheLife('blog');",
        '  // @ts-expect-error -- a typo in a profile name is a type error',
        "  cacheLife('hourz');",
        '}',
        'configureCache({ profiles: { blog: { revalidate: 60 } }, handlers: { default: createMemoryHandler() } });',
        'void createFsHandler, createRedisHandler, setCallServer;',
        '',
      ].join('\n'),
    );
    sh('npx tsc -p .', project);

    sh('npm prune --omit=dev', project);
    // No Babel in a production install but the one tiny helper the plugin's entry imports.
    expect(readdirSync(path.join(project, 'node_modules/@babel'))).toEqual(['helper-plugin-utils']);
    expect(existsSync(path.join(project, 'node_modules/babel-plugin-use-cache/dist/runtime/index.js'))).toBe(true);

    expect(run).toHaveLength(1);
    expect(sh(run[0]!, project).stdout).toBe(expectedOutput);
  });

  it('ships what it refers to: LICENSE, and the sources of every source map', () => {
    const unpacked = path.join(work, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['xzf', tarball, '-C', unpacked]);
    const pkg = path.join(unpacked, 'package');
    expect(readFileSync(path.join(pkg, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    const manifest = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.license).toBe('MIT');
    expect(manifest.repository).toBeTruthy();
    const maps = (readdirSync(path.join(pkg, 'dist'), { recursive: true }) as string[]).filter((f) =>
      f.endsWith('.map'),
    );
    expect(maps.length).toBeGreaterThan(10);
    for (const map of maps) {
      const file = path.join(pkg, 'dist', map);
      const { sources } = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[] };
      for (const source of sources)
        expect(existsSync(path.resolve(path.dirname(file), source)), `${map} -> ${source}`).toBe(true);
    }
    // Every relative image README shows is in the package.
    for (const [, target] of readme.matchAll(/!\[[^\]]*\]\((?!https?:)([^)]+)\)/g)) {
      expect(existsSync(path.join(pkg, target!)), target).toBe(true);
    }
  });
});

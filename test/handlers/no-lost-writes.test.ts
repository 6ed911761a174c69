// No lost writes: a process that fills an entry, awaits flush() and exits at once keeps the write
// (a second process hits it), and a handler's close() waits for the writes it has in flight.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsHandler } from '../../src/runtime/handlers/fs.js';
import { createRedisHandler } from '../../src/runtime/handlers/redis.js';
import type { CacheHandler } from '../../src/runtime/handlers/types.js';
import { requireRedisServer, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { compiledRuntime } from './support/compile-handlers.js';
import { entry, text } from './support/entries.js';

const redisAvailable = requireRedisServer('no-lost-writes tests (Redis)');
let server: RedisServer | undefined;
const dir = mkdtempSync(join(tmpdir(), 'use-cache-flush-'));
beforeAll(async () => {
  if (redisAvailable) server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A server process: one cached call, then (maybe) `await flush()`, then `process.exit(0)` at once. */
const PROCESS = `
  const [dir, kind, options, mode] = process.argv.slice(1);
  const runtime = await import(dir + '/index.js');
  const handlers = await import(dir + '/handlers/' + kind + '.js');
  const create = kind === 'fs' ? handlers.createFsHandler : handlers.createRedisHandler;
  runtime.configureCache({ handlers: { default: create(JSON.parse(options)) } });
  let runs = 0;
  const product = runtime.cacheFunction('no-lost-writes-product', 'default', async (id) => {
    runs++;
    return { id, computedBy: process.pid };
  });
  const value = await product(1);
  if (mode === 'flush') await runtime.flush();
  process.stdout.write(JSON.stringify({ value, runs, pid: process.pid }));
  process.exit(0);
`;

async function serverProcess(kind: 'fs' | 'redis', options: object, mode: 'flush' | 'read') {
  const runtimeDir = await compiledRuntime();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--conditions',
      'react-server',
      '--input-type=module',
      '-e',
      PROCESS,
      runtimeDir,
      kind,
      JSON.stringify(options),
      mode,
    ],
    { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
  );
  return JSON.parse(stdout) as { value: { computedBy: number }; runs: number; pid: number };
}

const cases: Array<[kind: 'fs' | 'redis', options: () => object]> = [
  ['fs', () => ({ dir })],
  ...(redisAvailable
    ? [['redis', () => ({ url: server!.url, prefix: `flush-${process.pid}:` })] as ['redis', () => object]]
    : []),
];

describe.each(cases)('%s handler', (kind, options) => {
  it('fill in one process, await flush(), exit at once: a second process hits', async () => {
    const first = await serverProcess(kind, options(), 'flush');
    expect(first.runs).toBe(1);
    const second = await serverProcess(kind, options(), 'read');
    expect(second.runs).toBe(0);
    expect(second.value.computedBy).toBe(first.pid);
  });

  it('close() waits for the writes in flight', async () => {
    const make = (): CacheHandler =>
      kind === 'fs' ? createFsHandler(options() as { dir: string }) : createRedisHandler(options());
    const writer = make();
    const big = 'x'.repeat(2_000_000);
    const write = writer.set('written-before-close', entry(big));
    const tags = writer.updateTags(['closing'], 5_000);
    await writer.close!();
    await Promise.all([write, tags]);
    const reader = make();
    try {
      expect(text(await reader.get('written-before-close'))).toBe(big);
      expect((await reader.getTagTimes(['closing']))[0]!.expired).toBe(5_000);
    } finally {
      await reader.close!();
    }
  });
});

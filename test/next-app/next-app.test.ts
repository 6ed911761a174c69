// A real Next.js 16 app (cacheComponents on) whose 'use cache' entries live in this package's Redis
// handler through toNextCacheHandler: `next build` once, two `next start` instances on one Redis.
// Slow (a production build), so it runs in its own script: `npm run test:next`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireRedisServer, startRedisServer, type RedisServer } from '../support/redis-server.js';

const appDir = fileURLToPath(new URL('.', import.meta.url));
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');

interface Instance {
  readonly name: string;
  readonly url: string;
  readonly process: ChildProcess;
  output: string;
}

interface Served {
  servedBy: string;
  value: { id: string; computedBy: string; computedAt: number; nonce: string };
}

const redisAvailable = requireRedisServer('the Next.js app test');
let redis: RedisServer;
const instances: Instance[] = [];

function appEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', REDIS_URL: redis.url, ...extra };
  delete env.NODE_OPTIONS; // vitest's --conditions=react-server is not for Next.js's own processes
  delete env.NODE_ENV; // next sets it
  return env;
}

async function start(name: string): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: appDir,
    env: appEnv({ INSTANCE_NAME: name }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const instance: Instance = { name, url: `http://127.0.0.1:${port}`, process: child, output: '' };
  child.stdout!.on('data', (d: Buffer) => (instance.output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (instance.output += d.toString()));
  instances.push(instance);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start (${name}) exited:\n${instance.output}`);
    try {
      if ((await fetch(instance.url)).ok) return instance;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next start (${name}) did not answer:\n${instance.output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function read(instance: Instance, id: string): Promise<Served> {
  const response = await fetch(`${instance.url}/value?id=${id}`);
  expect(response.status, instance.output).toBe(200);
  return (await response.json()) as Served;
}

async function revalidate(instance: Instance, tag: string, profile?: string): Promise<void> {
  const query = profile === undefined ? '' : `&profile=${profile}`;
  const response = await fetch(`${instance.url}/revalidate?tag=${tag}${query}`, { method: 'POST' });
  expect(response.status, instance.output).toBe(200);
}

describe.skipIf(!redisAvailable)('a Next.js 16 app on the Redis handler (toNextCacheHandler)', () => {
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    redis = await startRedisServer();
    const build = spawnSync(process.execPath, [nextBin, 'build'], {
      cwd: appDir,
      env: appEnv({}),
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (build.status !== 0) throw new Error(`next build failed:\n${build.stdout}\n${build.stderr}`);
    [a, b] = await Promise.all([start('a'), start('b')]);
  }, 360_000);

  afterAll(async () => {
    await Promise.all(
      instances.map(async (instance) => {
        if (instance.process.exitCode !== null || instance.process.signalCode !== null) return;
        const exited = once(instance.process, 'exit');
        instance.process.kill('SIGTERM');
        await exited;
      }),
    );
    await redis?.stop();
  });

  it('a value filled by one instance is a hit in the other', async () => {
    const filled = await read(a, 'shared');
    expect(filled).toMatchObject({ servedBy: 'a', value: { id: 'shared', computedBy: 'a' } });
    const hit = await read(b, 'shared');
    expect(hit.servedBy).toBe('b');
    expect(hit.value).toEqual(filled.value);
    // And again in the filling instance: one entry, one computation.
    expect((await read(a, 'shared')).value).toEqual(filled.value);
  });

  it('a cold value asked of both instances at once is computed once (fill leases)', async () => {
    const [inA, inB] = await Promise.all([read(a, 'cold'), read(b, 'cold')]);
    expect(inB.value).toEqual(inA.value);
  });

  it('revalidateTag in one instance is seen by both: each computes or reads the new value', async () => {
    const before = await read(a, 'expiring');
    expect((await read(b, 'expiring')).value).toEqual(before.value);
    await revalidate(b, 'value-expiring');
    const afterInA = await read(a, 'expiring');
    expect(afterInA.value.nonce).not.toBe(before.value.nonce);
    expect(afterInA.value.computedBy).toBe('a');
    // b revalidated and a refilled since: b reads a's new entry, not its own old one.
    expect((await read(b, 'expiring')).value).toEqual(afterInA.value);
    // Other tags are untouched.
    const other = await read(a, 'shared');
    expect(other.value.computedBy).toBe('a');
  });

  it("revalidateTag(tag, 'max') in one instance: the other serves the stale value once, then the refreshed one", async () => {
    const before = await read(a, 'marked');
    expect((await read(b, 'marked')).value).toEqual(before.value);
    await revalidate(b, 'value-marked', 'max');
    // Stale, not gone: served at once while a refreshes it in the background.
    expect((await read(a, 'marked')).value).toEqual(before.value);
    const refreshed = await readUntil(a, 'marked', (served) => served.value.nonce !== before.value.nonce);
    expect(refreshed.value.computedBy).toBe('a');
    // The refreshed entry is in Redis: b reads it, fresh, without computing.
    expect((await read(b, 'marked')).value).toEqual(refreshed.value);
  });
});

/**
 * Reads until `done` holds: a background refresh in a Next.js instance ends after the response
 * that served the stale value, at a time the test cannot observe from outside.
 */
async function readUntil(instance: Instance, id: string, done: (served: Served) => boolean): Promise<Served> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const served = await read(instance, id);
    if (done(served)) return served;
    if (Date.now() > deadline)
      throw new Error(`${instance.name} never served a refreshed "${id}":\n${instance.output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

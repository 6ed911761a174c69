// One fill across instances: fill leases in the standalone Redis and filesystem handlers, driven
// by real server processes (the runtime's miss path claims the lease; see runtime/lease.ts).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsHandler } from '../../src/runtime/handlers/fs.js';
import { createRedisHandler } from '../../src/runtime/handlers/redis.js';
import type { CacheHandler } from '../../src/runtime/handlers/types.js';
import { requireRedisServer, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { entry, text } from './support/entries.js';
import { startRuntimePeer, type Peer } from './support/peer-process.js';
import { expectOneExecution, expectTakeOverAfterLease } from './support/single-flight.js';

const redisAvailable = requireRedisServer('lease tests');
const LEASE_MS = 1500;

/** The lease contract every leasing handler keeps, in one process. */
async function leaseContract(a: CacheHandler, b: CacheHandler): Promise<void> {
  const first = await a.acquireLease!('k');
  expect(first.token).toEqual(expect.any(String));
  expect(first.ttlMs).toBe(LEASE_MS);
  expect(await b.acquireLease!('k')).toEqual({ ttlMs: LEASE_MS }); // held: no token
  expect((await b.acquireLease!('other')).token).toEqual(expect.any(String)); // per key
  await b.releaseLease!('k', 'forged-token'); // not the holder's token: nothing happens
  expect((await b.acquireLease!('k')).token).toBeUndefined();
  await a.releaseLease!('k', first.token!);
  const second = await b.acquireLease!('k');
  expect(second.token).toEqual(expect.any(String));
  expect(second.token).not.toBe(first.token);
  await a.releaseLease!('k', first.token!); // a stale holder's release never frees its successor's
  expect((await a.acquireLease!('k')).token).toBeUndefined();
  // A holder that never releases (it died) loses the lease after its time.
  await new Promise((r) => setTimeout(r, LEASE_MS + 100));
  expect((await a.acquireLease!('k')).token).toEqual(expect.any(String));
}

/** Many claimants at once, on a free lease and then on a lapsed one: exactly one holder each time. */
async function oneHolderUnderContention(claimants: CacheHandler[]): Promise<void> {
  const claimAll = () =>
    Promise.all(claimants.flatMap((h) => Array.from({ length: 5 }, () => h.acquireLease!('contended'))));
  const first = await claimAll();
  expect(first.filter((c) => c.token !== undefined)).toHaveLength(1);
  await new Promise((r) => setTimeout(r, LEASE_MS + 100)); // its holder "died": the lease lapses
  const second = await claimAll();
  expect(second.filter((c) => c.token !== undefined)).toHaveLength(1);
}

describe.skipIf(!redisAvailable)('fill leases on a standalone Redis', () => {
  let server: RedisServer;
  const prefix = `lease-${process.pid}:`;
  let peers: Peer[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    peers = await Promise.all(
      [0, 1, 2].map(() => startRuntimePeer('redis', { url: server.url, prefix, leaseMs: LEASE_MS })),
    );
  });
  afterAll(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await server?.stop();
  });

  it('SET NX PX: one holder per key, released only with its token, lapsing after its time', async () => {
    const a = createRedisHandler({ url: server.url, prefix: `c${prefix}`, leaseMs: LEASE_MS });
    const b = createRedisHandler({ url: server.url, prefix: `c${prefix}`, leaseMs: LEASE_MS });
    try {
      await leaseContract(a, b);
      await oneHolderUnderContention([a, b]);
      // A new holder gets the key's entry read in the same round trip (its double check).
      await a.set('filled', entry('stored meanwhile', ['t']));
      const claim = await b.acquireLease!('filled');
      expect(claim.token).toEqual(expect.any(String));
      expect(text(claim.entry ?? undefined)).toBe('stored meanwhile');
      expect(claim.entry?.tags).toEqual(['t']);
      expect((await b.acquireLease!('never-filled')).entry).toBeNull();
      expect('acquireLease' in createRedisHandler({ url: server.url, leaseMs: false })).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('3 processes x 20 concurrent cold calls on one key: 1 execution in total', async () => {
    await expectOneExecution(peers, 20);
    await expectOneExecution(peers, 20);
  });

  it('the lease holder killed mid-fill: another process computes after at most the lease time', async () => {
    const [holder, survivor] = peers.splice(0, 2);
    try {
      await expectTakeOverAfterLease(holder!, survivor!, LEASE_MS, 200);
    } finally {
      await survivor!.close();
    }
  });

  it('Redis down: the lease is skipped and every call still answers', async () => {
    const peer = await startRuntimePeer('redis', { url: server.url, prefix, leaseMs: LEASE_MS });
    peers.push(peer);
    await server.kill();
    try {
      const values = await peer.call<unknown[]>('burst', { product: 7, count: 3 });
      expect(values).toHaveLength(3);
    } finally {
      await server.start();
    }
  });
});

describe('fill leases on a shared filesystem directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'use-cache-lease-'));
  let peers: Peer[] = [];
  beforeAll(async () => {
    peers = await Promise.all([0, 1, 2].map(() => startRuntimePeer('fs', { dir, leaseMs: LEASE_MS })));
  });
  afterAll(async () => {
    await Promise.all(peers.map((p) => p.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('an exclusive lock file: one holder per key, released only with its token, lapsing after its time', async () => {
    const own = mkdtempSync(join(tmpdir(), 'use-cache-lease-own-'));
    const a = createFsHandler({ dir: own, leaseMs: LEASE_MS });
    const b = createFsHandler({ dir: own, leaseMs: LEASE_MS });
    try {
      await leaseContract(a, b);
      await a.releaseLease!('other', 'forged');
      const more = Array.from({ length: 6 }, () => createFsHandler({ dir: own, leaseMs: LEASE_MS }));
      await oneHolderUnderContention([a, b, ...more]);
      await Promise.all(more.map((h) => h.close()));
      // Closed before the directory is removed: a new handler scans its directory at once.
      const leaseless = createFsHandler({ dir: own, leaseMs: false });
      expect('acquireLease' in leaseless).toBe(false);
      await leaseless.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('3 processes x 20 concurrent cold calls on one key: 1 execution in total', async () => {
    await expectOneExecution(peers, 20);
    await expectOneExecution(peers, 20);
    // every lease released (the release follows the write, after the callers have their value)
    for (let i = 0; i < 100 && readdirSync(join(dir, 'leases')).length !== 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(join(dir, 'leases'))).toEqual([]);
  });

  it('the lease holder killed mid-fill: another process computes after at most the lease time', async () => {
    const [holder, survivor] = peers.splice(0, 2);
    try {
      await expectTakeOverAfterLease(holder!, survivor!, LEASE_MS, 200);
    } finally {
      await survivor!.close();
    }
  });
});

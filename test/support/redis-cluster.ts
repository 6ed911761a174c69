/**
 * A real Redis Cluster (3 masters on loopback) for tests.
 *
 * Under CI, `.ci/run` starts one with `scripts/redis-cluster.mjs` before the suite and exports
 * `REDIS_CLUSTER_DIR`; the tests attach to it. Anywhere else (a developer's `npx vitest run`),
 * the test file starts its own with the same script, on free ports in a temp directory, and stops
 * it when done: nothing to set up by hand, and CI exercises the start/stop script it ships.
 * Either way the handle can kill a master and start it again (`kill(port)` / `start(port)`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachCluster, startCluster, type RedisClusterHandle } from '../../scripts/redis-cluster.mjs';
import { spawnSync } from 'node:child_process';

export type RedisCluster = RedisClusterHandle & { release(): void };

export const redisCliInstalled: boolean = spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0;

export async function useRedisCluster(): Promise<RedisCluster> {
  const shared = process.env.REDIS_CLUSTER_DIR;
  if (shared) return { ...attachCluster(shared), release() {} };
  const cluster = await startCluster(mkdtempSync(join(tmpdir(), 'use-cache-cluster-')));
  return { ...cluster, release: () => cluster.stop() };
}

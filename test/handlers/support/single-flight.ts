/**
 * The cross-instance single-flight checks, shared by the standalone Redis, Redis Cluster and
 * filesystem suites: real server processes running a slow cached function through the runtime.
 */
import { expect } from 'vitest';
import type { Peer } from './peer-process.js';

type Slow = { id: number; computedBy: number };

let nextId = 1000;
/** An argument no process has used yet: a cold key. */
export const coldId = () => ++nextId + Math.floor(Math.random() * 1e6) * 1000;

async function slowBodies(peers: Peer[]): Promise<number> {
  const counts = await Promise.all(peers.map((p) => p.call<number>('slowBodies')));
  return counts.reduce((sum, n) => sum + n, 0);
}

/** `calls` concurrent cold calls on one key in each peer: the body runs once in total. */
export async function expectOneExecution(peers: Peer[], calls = 20): Promise<void> {
  const id = coldId();
  const before = await slowBodies(peers);
  const answers = await Promise.all(peers.map((p) => p.call<Slow[]>('burst', { product: id, count: calls })));
  expect((await slowBodies(peers)) - before).toBe(1);
  const values = answers.flat();
  expect(values).toHaveLength(peers.length * calls);
  expect(new Set(values.map((v) => JSON.stringify(v))).size).toBe(1);
}

/**
 * The lease holder dies mid-fill (SIGKILL): `survivor` computes the value itself, after at most
 * the lease time (plus its own body's time and slack for a loaded machine).
 */
export async function expectTakeOverAfterLease(
  holder: Peer,
  survivor: Peer,
  leaseMs: number,
  bodyMs: number,
): Promise<void> {
  const id = coldId();
  await holder.call('setSlowMs', { ms: 60_000 }); // it would hold the lease "forever"
  await survivor.call('setSlowMs', { ms: bodyMs });
  await holder.call('startSlow', { product: id });
  holder.process.kill('SIGKILL');
  const before = await slowBodies([survivor]);
  const started = Date.now();
  const [value] = await survivor.call<Slow[]>('burst', { product: id, count: 5 });
  const took = Date.now() - started;
  expect(value).toEqual({ id, computedBy: survivor.process.pid });
  expect((await slowBodies([survivor])) - before).toBe(1);
  // It waited for the dead holder (not computing at once): a lower bound, which a loaded machine
  // only makes longer. That it stopped waiting once the lease lapsed is the call answering at all.
  expect(took).toBeGreaterThanOrEqual(leaseMs / 2);
}

/**
 * One fill across instances: before a process computes a missed key, it claims the handler's
 * lease on it (`acquireLease`, see handlers/types.ts). The holder computes; every other process
 * waits for the holder's entry and reads it instead of computing.
 *
 * The holder reads the key once more after claiming (double-checked): another holder may have
 * stored its entry and released its lease between this process's miss and its claim.
 *
 * Bounded by construction: a waiter reads the key on a short, growing interval, claims again
 * between reads (the holder may have released without storing, or died and let its lease lapse),
 * and computes itself once the lease time has passed since it started waiting. A handler without
 * leases, a failing or slow lease call, or a lease time of 0 all mean "compute now": a lease can
 * delay a call by at most its time, and never fails one.
 */
import type { HandlerOp } from './config.js';
import { debug, shortKey } from './debug.js';
import type { CacheEntry, CacheHandler } from './handlers/types.js';

/** What to do about a miss: compute (then `release()`), or use the entry another process stored. */
/**
 * Runs one operation of the handler and never throws: its result, or `fallback` when it fails (the
 * runtime's `callHandler`, which also applies timeouts and reports failures; a plain catch for
 * `toNextCacheHandler`, which runs without the runtime).
 */
export type SafeCall = <T>(op: HandlerOp, run: (handler: CacheHandler) => Promise<T>, fallback: T) => Promise<T>;

export type FillClaim = { entry: CacheEntry } | { entry?: undefined; release(): void };

const NOT_LEASED: FillClaim = { release() {} };
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 100;

/**
 * Claim the fill of `key`. `usable` says whether an entry read meanwhile is the fresh result of
 * another process's fill (and not the stale or revalidated entry that caused this miss).
 */
export async function claimFill(
  call: SafeCall,
  handler: CacheHandler,
  key: string,
  usable: (entry: CacheEntry | undefined) => entry is CacheEntry,
): Promise<FillClaim> {
  if (typeof handler.acquireLease !== 'function' || typeof handler.releaseLease !== 'function') return NOT_LEASED;
  const started = Date.now();
  const read = () => call('get', (h) => h.get(key), undefined);
  /** Holding the lease: read once more, as the last holder may have stored and released between our read and our claim. */
  const checked = async (held: Held): Promise<FillClaim> => {
    const late = held.entry !== undefined ? (held.entry ?? undefined) : await read();
    if (!usable(late)) return { release: held.release };
    held.release();
    return { entry: late };
  };
  let claim = await acquire(call, handler, key);
  if (claim === undefined) return NOT_LEASED;
  if (claim.release) return checked(claim);
  const deadline = started + claim.ttlMs;
  debug('join', () => `key=${shortKey(key)} another instance is computing it; waiting up to ${claim!.ttlMs} ms`);
  for (let pause = FIRST_POLL_MS; ; pause = Math.min(pause * 2, MAX_POLL_MS)) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    const entry = await read();
    if (usable(entry)) return { entry };
    claim = await acquire(call, handler, key);
    if (claim === undefined) return NOT_LEASED;
    if (claim.release) return checked(claim);
  }
  debug('miss', () => `key=${shortKey(key)} no entry within the lease time: computing here`);
  return NOT_LEASED;
}

type Held = { release(): void; entry?: CacheEntry | null; ttlMs?: undefined };

/** `{ release }` when this process now holds the lease, `{ ttlMs }` when another does, `undefined` on failure. */
async function acquire(
  call: SafeCall,
  handler: CacheHandler,
  key: string,
): Promise<Held | { release?: undefined; ttlMs: number } | undefined> {
  const claim = await call('acquireLease', (h) => h.acquireLease!(key), undefined);
  // A handler's answer is checked like any input: anything malformed means "no lease".
  if (typeof claim !== 'object' || claim === null || !(claim.ttlMs > 0)) return undefined;
  const { token } = claim;
  if (typeof token !== 'string') return token === undefined ? { ttlMs: claim.ttlMs } : undefined;
  return {
    entry: claim.entry,
    release: () => void call('releaseLease', (h) => h.releaseLease!(key, token), undefined),
  };
}

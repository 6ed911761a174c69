/**
 * Background work of the runtime that outlives the call that started it: the handler writes of
 * fills (a caller gets its value before the store has it), background refreshes, and tag updates
 * (`revalidateTag` without `await`). `flush()` waits for all of it; `configureCache({ waitUntil })`
 * hands each piece to the platform (serverless hosts freeze a process once the response is sent,
 * unless told to wait).
 */
import { debug, describeError } from './debug.js';

/** Settled-never-rejecting versions of the work in flight. */
const inFlight = new Set<Promise<void>>();
let waitUntil: ((promise: Promise<unknown>) => void) | undefined;

const ignore = (): void => {};

/** Keep `work` until it settles (it never rejects here: its failures are reported where they happen). */
export function trackBackground(work: Promise<unknown>): void {
  const settled = work.then(ignore, ignore);
  inFlight.add(settled);
  void settled.then(() => inFlight.delete(settled));
  if (waitUntil !== undefined) {
    try {
      waitUntil(settled);
    } catch (error) {
      debug('error', () => `waitUntil threw: ${describeError(error)}`);
    }
  }
}

/**
 * Resolves once every pending handler write (`set`), tag update and background refresh started so
 * far, and any they started in turn, has reached its handler or failed. Never rejects. Call it
 * before a process exits, or at the end of a request on a platform that freezes processes.
 */
export async function flush(): Promise<void> {
  while (inFlight.size !== 0) await Promise.all(inFlight);
}

/** `configureCache({ waitUntil })`: receives every background promise from now on. */
export function setWaitUntil(fn: ((promise: Promise<unknown>) => void) | undefined): void {
  waitUntil = fn;
}

// The captured values of an inline 'use cache' function travel encrypted, like a Server Action's
// (compiled call site: `$$cache_0.bind(null, encryptBound(id, [a, b]))`): a cached function is a
// server reference too, so its bound values can reach the browser and come back. The wrapper opens
// them before anything else (a tampered or foreign ciphertext is rejected before the key is
// computed or the body runs), keys the call by their authenticated plaintext (so the key covers
// the values themselves, whatever random IV encrypted them), and decodes them for the body only
// when it runs.
import { openBound } from './actions/index.js';
import { decodeBoundValues } from './actions/codec.js';

type AsyncFunction = (...args: any[]) => Promise<unknown>;

/** The authenticated plaintext of the captured values; rejects with InvalidBoundArgumentsError. */
export function openCaptured(id: string, sealed: unknown): Promise<string> {
  return openBound(id, sealed, 'cached function');
}

/** `fn` with the values of `plaintext` decoded and passed first, as the compiled body expects. */
export function withCapturedValues(fn: AsyncFunction, plaintext: string): AsyncFunction {
  return async (...args: unknown[]) => fn.call(null, await decodeBoundValues(plaintext), ...args);
}

/** What a call's key adds for its captured values: their plaintext, length-prefixed. */
export function capturedKeyPart(plaintext: string): string {
  return `${plaintext.length}:${plaintext}\0`;
}

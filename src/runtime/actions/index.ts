// The server-actions half of the runtime: what compiled 'use server' code imports
// (serverReference, serverExport, encryptBound, decryptBound) and the encryption key setting.
// See README.md (the runtime contract, and Server Actions) for the shapes that call these and their use.

import { open, seal } from './cipher.js';
import { decodeBoundValues, encodeBoundValues, unencodableReason } from './codec.js';
import { flight } from '../flight.js';

export { setEncryptionKey } from './key.js';

/**
 * Registers `fn` as the server reference `id` (react-server-dom-webpack's
 * `registerServerReference(fn, id, null)`) and returns it. Compiled code calls this for every
 * `'use server'` function; `fn.bind(null, ...)` then yields a bound reference that Flight can send.
 */
export function serverReference<T extends Function>(id: string, fn: T): T {
  if (typeof fn !== 'function') {
    throw new TypeError(
      `babel-plugin-use-cache: serverReference("${id}", fn) needs a function, got ${fn === null ? 'null' : typeof fn}`,
    );
  }
  return flight.registerServerReference(fn, id, null);
}

/**
 * A file-level `'use server'` export whose value only the running module knows (an import, a
 * call's result, a destructured name): registered as the server reference `id` when it is a
 * function, exported unchanged otherwise.
 */
export function serverExport<T>(id: string, value: T): T {
  return typeof value === 'function' ? (serverReference(id, value) as T) : value;
}

function encryptionError(id: string, values: unknown[], cause: unknown): Error {
  return new Error(
    `babel-plugin-use-cache: cannot encrypt the values captured by server action ${id}: ${unencodableReason(values, cause)}. ` +
      'Captured values travel to the client, so they must be serialisable like server action arguments.',
    { cause },
  );
}

/**
 * Serialises and encrypts the values an inline server action captured (AES-256-GCM, the id as
 * additional authenticated data). The result is what the bound reference carries to the client.
 */
export function encryptBound(id: string, values: unknown[]): Promise<string> {
  let plaintext: string | Promise<string>;
  try {
    plaintext = encodeBoundValues(values);
  } catch (error) {
    return Promise.reject(encryptionError(id, values, error));
  }
  if (typeof plaintext !== 'string') {
    return plaintext.then(
      (text) => seal(id, text),
      (error: unknown) => Promise.reject(encryptionError(id, values, error)),
    );
  }
  try {
    return Promise.resolve(seal(id, plaintext));
  } catch (error) {
    return Promise.reject(error); // a misconfigured key: its own message says what to fix
  }
}

/** The error every rejected bound-argument payload produces. `code` lets servers answer 400. */
export class InvalidBoundArgumentsError extends Error {
  readonly code = 'ERR_INVALID_BOUND_ARGUMENTS';
  readonly actionId: string;
  constructor(id: string, what: 'server action' | 'cached function' = 'server action') {
    super(
      `Invalid or tampered bound arguments for ${what} ${id}: they were modified, truncated, made for ` +
        'another reference, or encrypted with another key (instances serving one app need the same ' +
        `USE_CACHE_ENCRYPTION_KEY). The ${what === 'server action' ? 'action' : 'function'} was not run.`,
    );
    this.name = 'InvalidBoundArgumentsError';
    this.actionId = id;
  }
}

/**
 * The authenticated plaintext of what `encryptBound` produced for the same `id`. Anything else
 * (tampered, truncated, foreign or another reference's ciphertext) rejects with
 * InvalidBoundArgumentsError.
 */
export async function openBound(
  id: string,
  encrypted: unknown,
  what: 'server action' | 'cached function' = 'server action',
): Promise<string> {
  let sealed: unknown;
  try {
    sealed = await encrypted;
  } catch {
    throw new InvalidBoundArgumentsError(id, what);
  }
  const plaintext = open(id, sealed);
  if (plaintext === null) throw new InvalidBoundArgumentsError(id, what);
  return plaintext;
}

/**
 * Decrypts and deserialises what `encryptBound` produced for the same `id`. Anything else
 * (tampered, truncated, foreign or another action's ciphertext) rejects with
 * InvalidBoundArgumentsError, before the action's body runs.
 */
export async function decryptBound(id: string, encrypted: Promise<string> | string): Promise<unknown[]> {
  const plaintext = await openBound(id, encrypted);
  try {
    return await decodeBoundValues(plaintext);
  } catch {
    // Authenticated but undecodable: only possible across incompatible versions of this runtime.
    throw new InvalidBoundArgumentsError(id);
  }
}

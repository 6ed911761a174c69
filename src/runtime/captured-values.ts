// The captured values of an inline 'use cache' function. A cached function is a server reference,
// so its bound values can reach the browser and come back; there they travel encrypted, as a
// Server Action's do. The compiled call site binds them in a holder that encrypts lazily:
//
//   const load = $$cache_0.bind(null, encryptOnSend(id, [token, user.id]));
//
// - Called on the server (the common case: a page calls the function it defined), the wrapper
//   finds its own holder and keys the call by the values' encoding: no cryptography at all.
// - Sent to a client (a prop of a client component, a form action), React's Flight server
//   serialises the reference's bound values; the holder is a thenable, which Flight serialises as
//   a promise by calling its `then`, and only then is it sealed (AES-256-GCM, the reference id as
//   additional data; the same ciphertext `encryptBound` makes). The browser sends that string
//   back, the wrapper opens it, rejecting a forged, tampered, truncated or foreign one before the
//   key is computed or the body runs.
// Both paths key by the same plaintext, so the key covers the values themselves (whatever random
// IV encrypted them), and the body gets them decoded from that plaintext, never the caller's
// live objects. Values that cannot be encoded (a function, a class instance such as a database
// client) fail the call with an error naming the value, as they would fail to reach the browser:
// a value the key cannot cover could make two different captures share an entry.
import { InvalidBoundArgumentsError, openBound } from './actions/index.js';
import { seal } from './actions/cipher.js';
import { decodeBoundValues, encodeBoundValues, unencodableReason } from './actions/codec.js';

type AsyncFunction = (...args: any[]) => Promise<unknown>;

/** What `encryptOnSend` returns: the values in the clear for this process, a ciphertext for a client. */
class CapturedValues implements PromiseLike<string> {
  readonly #id: string;
  readonly #values: unknown[];
  #plaintext: string | Promise<string> | undefined;
  #sealed: Promise<string> | undefined;

  constructor(id: string, values: unknown[]) {
    this.#id = id;
    this.#values = values;
  }

  static is(value: unknown): value is CapturedValues {
    return typeof value === 'object' && value !== null && #values in value;
  }

  get id(): string {
    return this.#id;
  }

  /** The values' encoding, computed once (synchronous for JSON-safe values). */
  plaintext(): string | Promise<string> {
    if (this.#plaintext === undefined) {
      try {
        const encoded = encodeBoundValues(this.#values);
        this.#plaintext =
          typeof encoded === 'string'
            ? encoded
            : encoded.catch((error: unknown) => Promise.reject(unsendable(this.#id, this.#values, error)));
      } catch (error) {
        this.#plaintext = Promise.reject(unsendable(this.#id, this.#values, error));
      }
    }
    return this.#plaintext;
  }

  /**
   * The ciphertext, made on first use. Flight calls this when it serialises the bound reference
   * (twice: to track the thenable's status and to write it), so it is made once per holder.
   */
  then<A = string, B = never>(
    onFulfilled?: ((ciphertext: string) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.#sealed ??= Promise.resolve(this.plaintext()).then((plaintext) => seal(this.#id, plaintext));
    return this.#sealed.then(onFulfilled, onRejected);
  }
}

function unsendable(id: string, values: unknown[], cause: unknown): Error {
  return new TypeError(
    `'use cache': the values captured by cached function ${id} cannot be encoded: ${unencodableReason(values, cause)}. ` +
      'They form part of its cache key and travel encrypted to the browser with the function, so they must be ' +
      'serialisable like server action arguments (plain data, Date, Map, Set, typed arrays...). Reach anything ' +
      'else (a database client, say) from module scope or inside the function instead of capturing it.',
    { cause },
  );
}

/**
 * The bound value of an inline cached function's captured values: `encryptOnSend(id, [a, b])` at
 * the compiled call site. Cheap: nothing is encoded or encrypted until a call or a send needs it.
 */
export function encryptOnSend(id: string, values: unknown[]): PromiseLike<string> {
  if (typeof id !== 'string' || !Array.isArray(values)) {
    throw new TypeError('encryptOnSend(id, values): id must be a string and values an array.');
  }
  return new CapturedValues(id, values);
}

/**
 * The plaintext of a call's captured values (its first argument), for the cached function `id`:
 * from this process's holder directly, or from a ciphertext a client sent back, authenticated
 * first. Anything else (a holder or ciphertext of another reference, a tampered or malformed
 * value) rejects with InvalidBoundArgumentsError.
 */
export function capturedPlaintext(id: string, bound: unknown): string | Promise<string> {
  if (CapturedValues.is(bound)) {
    return bound.id === id ? bound.plaintext() : Promise.reject(new InvalidBoundArgumentsError(id, 'cached function'));
  }
  return openBound(id, bound, 'cached function');
}

/** `fn` with the values of `plaintext` decoded and passed first, as the compiled body expects. */
export function withCapturedValues(fn: AsyncFunction, plaintext: string): AsyncFunction {
  return async (...args: unknown[]) => fn.call(null, await decodeBoundValues(plaintext), ...args);
}

/** What a call's key adds for its captured values: their plaintext, length-prefixed. */
export function capturedKeyPart(plaintext: string): string {
  return `${plaintext.length}:${plaintext}\0`;
}

// What the compiler tells the runtime about a cached function (cacheFunction's fourth argument,
// docs/runtime-contract.md), checked once when the function is wrapped. Code compiled without it
// keeps working: every argument then forms the key.

/** `cacheFunction(id, kind, fn, options)`: every field is optional. */
export interface CacheFunctionOptions {
  /**
   * The first argument holds the function's captured values, bound by `encryptOnSend` (inline
   * functions that capture values; the body then receives them decoded, as one array).
   */
  captured?: boolean;
  /**
   * How many parameters `fn` declares (the captured values' one included), defaults and patterns
   * included (`fn.length` stops at the first default): only the arguments in those positions form
   * the key and reach the body, as in Next.js. Absent when `fn` has a rest parameter (every
   * argument counts).
   */
  params?: number;
  /**
   * A hash of the code the function's results depend on within its file (its own code and the
   * module-level code it uses): part of every key, so an edited function never reads entries of
   * its old code, and an unchanged one keeps them across restarts.
   */
  code?: string;
}

export interface FunctionShape {
  captured: boolean;
  /** Arguments that count: the declared parameters, or Infinity. */
  arity: number;
  /** What keys start with besides the namespace: the id, and the code hash when there is one. */
  keyId: string;
}

export function functionShape(id: string, options: CacheFunctionOptions | undefined): FunctionShape {
  if (options === undefined) return { captured: false, arity: Infinity, keyId: id };
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `cacheFunction("${id}"): options must be an object, got ${options === null ? 'null' : typeof options}.`,
    );
  }
  const { captured = false, params, code } = options;
  if (typeof captured !== 'boolean') throw new TypeError(`cacheFunction("${id}"): options.captured must be a boolean.`);
  if (params !== undefined && !(Number.isInteger(params) && params >= 0)) {
    throw new TypeError(
      `cacheFunction("${id}"): options.params must be a whole number of parameters, got ${String(params)}.`,
    );
  }
  if (code !== undefined && (typeof code !== 'string' || code === '' || code.includes('\0'))) {
    throw new TypeError(`cacheFunction("${id}"): options.code must be a non-empty string (the compiler's code hash).`);
  }
  return { captured, arity: params ?? Infinity, keyId: code === undefined ? id : id + '\0' + code };
}

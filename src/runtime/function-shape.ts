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
}

export interface FunctionShape {
  captured: boolean;
  /** Arguments that count: the declared parameters, or Infinity. */
  arity: number;
}

export function functionShape(id: string, options: CacheFunctionOptions | undefined): FunctionShape {
  if (options === undefined) return { captured: false, arity: Infinity };
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `cacheFunction("${id}"): options must be an object, got ${options === null ? 'null' : typeof options}.`,
    );
  }
  const { captured = false, params } = options;
  if (typeof captured !== 'boolean') throw new TypeError(`cacheFunction("${id}"): options.captured must be a boolean.`);
  if (params !== undefined && !(Number.isInteger(params) && params >= 0)) {
    throw new TypeError(
      `cacheFunction("${id}"): options.params must be a whole number of parameters, got ${String(params)}.`,
    );
  }
  return { captured, arity: params ?? Infinity };
}

// What the compiler tells the runtime about a cached function (cacheFunction's fourth argument),
// checked once when the function is wrapped.

/** `cacheFunction(id, kind, fn, options)`: every field is optional. */
export interface CacheFunctionOptions {
  /**
   * The first argument holds the function's captured values, encrypted by `encryptBound` (inline
   * functions that capture values; the body then receives them decoded, as one array).
   */
  captured?: boolean;
  /**
   * How many parameters the function declares (after the captured values): only those form the
   * key, as in Next.js. Absent when it has a rest parameter (every argument counts).
   */
  params?: number;
}

export interface FunctionShape {
  captured: boolean;
  /** Arguments that count: the declared parameters (plus the captured values), or Infinity. */
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
    throw new TypeError(`cacheFunction("${id}"): options.params must be a whole number of parameters.`);
  }
  const declared = params ?? Infinity;
  return { captured, arity: declared + (captured ? 1 : 0) };
}

// What the compiler tells the runtime about a cached function (cacheFunction's fourth argument),
// checked once when the function is wrapped.

/** `cacheFunction(id, kind, fn, options)`: every field is optional. */
export interface CacheFunctionOptions {
  /**
   * The first argument holds the function's captured values, bound by `encryptOnSend` (inline
   * functions that capture values; the body then receives them decoded, as one array).
   */
  captured?: boolean;
}

export interface FunctionShape {
  captured: boolean;
}

export function functionShape(id: string, options: CacheFunctionOptions | undefined): FunctionShape {
  if (options === undefined) return { captured: false };
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `cacheFunction("${id}"): options must be an object, got ${options === null ? 'null' : typeof options}.`,
    );
  }
  const { captured = false } = options;
  if (typeof captured !== 'boolean') throw new TypeError(`cacheFunction("${id}"): options.captured must be a boolean.`);
  return { captured };
}

// A tiny runtime for compiler tests: the names compiled code imports (docs/runtime-contract.md),
// implemented just enough to observe what the compiled code does. It really memoizes by the JSON
// of the arguments (so "the body runs once" can be asserted) and records every registration.
// Nothing here depends on the real runtime's caching.

type AnyFunction = (...args: unknown[]) => unknown;

export const executions = new Map<string, number>(); // body runs per id
export const invocations = new Map<string, number>(); // wrapper calls per id
export const registrations: { id: string; fn: unknown }[] = [];
export const kinds = new Map<string, string>();

const bump = (map: Map<string, number>, id: string): void => {
  map.set(id, (map.get(id) ?? 0) + 1);
};

export function reset(): void {
  executions.clear();
  invocations.clear();
  registrations.length = 0;
  kinds.clear();
  serverCalls.length = 0;
}

export function cacheFunction(
  id: string,
  kind: string,
  fn: AnyFunction,
  options?: { captured?: boolean },
): AnyFunction {
  if (typeof id !== 'string' || typeof kind !== 'string' || typeof fn !== 'function')
    throw new TypeError('cacheFunction(id, kind, fn)');
  const memo = new Map<string, Promise<unknown>>();
  kinds.set(id, kind);
  const cached = async (...args: unknown[]): Promise<unknown> => {
    bump(invocations, id);
    // Captured values come sealed in the first argument; the body gets them as one array.
    if (options?.captured) args = [await decryptBound(id, args[0] as Sealed), ...args.slice(1)];
    const key = JSON.stringify(args);
    let result = memo.get(key);
    if (!result) {
      bump(executions, id);
      result = Promise.resolve(fn(...args));
      memo.set(key, result);
    }
    return result;
  };
  return serverReference(id, cached);
}

export function cacheExport(id: string, kind: string, value: unknown): unknown {
  return typeof value === 'function' ? cacheFunction(id, kind, value as AnyFunction) : value;
}

export function serverReference<F>(id: string, fn: F): F {
  if (typeof fn !== 'function') throw new TypeError(`serverReference: ${id} is not a function`);
  registrations.push({ id, fn });
  Object.defineProperty(fn, '$$id', { value: id, configurable: true });
  return fn;
}

export function serverExport(id: string, value: unknown): unknown {
  return typeof value === 'function' ? serverReference(id, value) : value;
}

interface Sealed {
  id: string;
  values: unknown[];
}

/** Identity-ish: wraps the values with the id they belong to, so a wrong id is detected. */
export async function encryptBound(id: string, values: unknown[]): Promise<Sealed> {
  return { id, values };
}

/** A cached function's captured values, bound as they are (the real one encrypts them only when sent). */
export function encryptOnSend(id: string, values: unknown[]): Promise<Sealed> {
  return encryptBound(id, values);
}

export async function decryptBound(id: string, sealed: Promise<Sealed> | Sealed): Promise<unknown[]> {
  const value = await sealed;
  if (!value || value.id !== id)
    throw new Error(`decryptBound: bound values of another reference (${value?.id}) used for ${id}`);
  return value.values;
}

export function createServerReference(id: string, callServer: AnyFunction): AnyFunction {
  const ref = (...args: unknown[]) => callServer(id, args);
  Object.defineProperty(ref, '$$id', { value: id });
  return ref;
}

export const serverCalls: { id: string; args: unknown[] }[] = [];
export function callServer(id: string, args: unknown[]): Promise<unknown> {
  serverCalls.push({ id, args });
  return Promise.resolve({ id, args });
}

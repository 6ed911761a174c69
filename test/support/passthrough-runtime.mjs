// A runtime that caches nothing and encrypts nothing: compiled code run against it must behave
// exactly like the original code (test/robustness/semantics.test.ts). Implements the names of
// docs/runtime-contract.md, plus the public ones (cacheLife, cacheTag, ...) as no-ops.
// Captured values of a cached function come bound as one argument (what encryptOnSend made); the
// body takes them as an array.
export const cacheFunction = (id, kind, fn, options) =>
  options?.captured ? async (bound, ...args) => fn(await bound, ...args) : fn;
export const cacheExport = (id, kind, value) => value;
export const serverReference = (id, fn) => fn;
export const serverExport = (id, value) => value;
export const encryptBound = async (id, values) => values;
export const encryptOnSend = (id, values) => values;
export const decryptBound = async (id, encrypted) => await encrypted;
export const createServerReference = (id) => {
  throw new Error(`client stub ${id} called in a server test`);
};
export const callServer = () => {
  throw new Error('callServer is not available in a server test');
};
export const cacheLife = () => {};
export const cacheTag = () => {};
export const revalidateTag = () => {};
export const unstable_cacheLife = cacheLife;
export const unstable_cacheTag = cacheTag;

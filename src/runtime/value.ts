/**
 * Result serialisation: a cached function's result is stored as the bytes of a React Flight
 * stream (rendered with the call's server-side temporary references) and decoded with the
 * *current* call's client-side temporary references, so opaque values passed in this time
 * (children, callbacks) appear in the result.
 *
 * Decoding costs ~10x a key, so stored bytes are decoded once per process into a private template
 * (`buildTemplate`) and handed out as a fresh copy on every hit (`handOut`): no caller ever sees
 * an object another caller could have mutated, and the caller's temporary references are put
 * into the copy where the payload names them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createElement } from 'react';
import { flight, type ServerTemporaryReferences } from './flight.js';
import { privateChunks } from './flight-rows.js';
import { decodeOwnReply } from './own-reply.js';
import type { TemporaryReferences } from './key.js';

/**
 * Runs a function in the async context of this module's loading: outside any React render, as the
 * runtime is imported at start-up. React reads an element's owner from an AsyncLocalStorage.
 */
const outsideAnyRender = AsyncLocalStorage.snapshot();

export function registerServerReference<T extends Function>(fn: T, id: string, exportName: string | null): T {
  return flight.registerServerReference(fn, id, exportName);
}
export const createServerTemporaryReferences = (): ServerTemporaryReferences => flight.createTemporaryReferenceSet();

/**
 * `decodeReply` of the call's arguments: opaque values become server temporary references. The
 * runtime encoded them itself, so they decode whatever their size (see own-reply.ts).
 */
export async function decodeArguments(body: string | FormData, refs: ServerTemporaryReferences): Promise<unknown[]> {
  return (await decodeOwnReply(body, refs)) as unknown[];
}

/** The messages of React's own serialisation errors (react-server-dom-webpack 19.3). */
const SERIALISATION_ERROR =
  /^(Functions cannot be passed directly to Client Components|Event handlers cannot be passed to Client Component props|Only plain objects, and a few built-ins, can be passed to Client Components|Only global symbols received from Symbol\.for|Type \w+ is not supported in Client Component props|Could not reference an opaque temporary reference)/;

/**
 * Serialise `value` to Flight bytes. Any error React reports while rendering it (a rejected
 * promise inside, a nested component that throws) is thrown here and nothing is stored; a value
 * React cannot serialise becomes an error naming the cached function.
 */
export async function renderValue(value: unknown, refs: ServerTemporaryReferences, name: string): Promise<Uint8Array> {
  let failure: { error: unknown } | undefined;
  const stream = flight.renderToReadableStream(value, {
    temporaryReferences: refs,
    onError(error) {
      // Never throw here: React calls it from inside its work loop.
      failure ??= { error };
    },
  });
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value: chunk } = await reader.read();
    if (done) break;
    chunks.push(chunk);
    length += chunk.byteLength;
  }
  if (failure !== undefined) throw describeRenderError(failure.error, name);
  // One compact buffer: a view into React's larger write buffer would hold all of it in memory.
  const only = chunks[0];
  if (chunks.length === 1 && only!.byteOffset === 0 && only!.buffer.byteLength === length) return only!;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Run a cached function's `body` and serialise what it returns, with the body running as the root
 * component of its own Flight render. In development builds every element records its owner (the
 * component rendering when it was made, with that component's props) and Flight serialises it:
 * run as part of the caller's render, the body's elements would be owned by the caller's
 * component, and the caller's props (children included) would be stored with the entry and sent
 * with every later hit. Here they are owned by a component named after the cached function, with
 * no props, and that component's own element is made outside any render (so it has no owner
 * either). An error thrown by the body is thrown here as is (React never sees it).
 */
export async function renderResult(
  body: () => unknown,
  refs: ServerTemporaryReferences,
  name: string,
): Promise<Uint8Array> {
  let thrown: { error: unknown } | undefined;
  const Cached = async (): Promise<unknown> => {
    try {
      return await body();
    } catch (error) {
      thrown = { error };
      return null;
    }
  };
  Object.defineProperty(Cached, 'name', { value: name });
  let bytes: Uint8Array;
  try {
    bytes = await renderValue(
      outsideAnyRender(() => createElement(Cached as never)),
      refs,
      name,
    );
  } catch (error) {
    if (thrown !== undefined) throw thrown.error;
    throw error;
  }
  if (thrown !== undefined) throw thrown.error;
  return bytes;
}

function describeRenderError(error: unknown, name: string): unknown {
  if (error instanceof Error && SERIALISATION_ERROR.test(error.message)) {
    return new TypeError(
      `'use cache': the value returned by "${name}" cannot be serialised, so it cannot be cached. ` +
        `Return plain data, Dates, Maps, Sets, typed arrays, promises or JSX. React said: ${error.message}`,
      { cause: error },
    );
  }
  return error;
}

function streamOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/**
 * Decode stored bytes into a fresh value, resolving temporary references against `refs`. A value
 * handed to a caller (`forCaller`) gets its typed arrays and DataViews in buffers of their own
 * (see flight-rows.ts); a private template may view the stored bytes.
 */
export async function decodeValue(
  bytes: Uint8Array,
  refs: TemporaryReferences | undefined,
  forCaller = false,
): Promise<unknown> {
  return await flight.createFromReadableStream(streamOf(forCaller ? privateChunks(bytes) : [bytes]), {
    temporaryReferences: refs,
  });
}

/** Whether a payload may refer to the caller's temporary references (`"$T…"`); may say yes wrongly, never no. */
export function refersToTemporaryReferences(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf('"$T') !== -1;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

// --- Templates: decode once, hand out copies ---------------------------------------------------

/** Placeholders standing for the caller's temporary references in a template, by reference id. */
const holes = new WeakMap<object, string>();

/**
 * A temporary-reference "set" for decoding a template: every reference the payload names is
 * decoded as a placeholder object, filled with the current caller's value on every copy.
 */
export function placeholderReferences(): TemporaryReferences {
  const made = new Map<string, object>();
  return {
    get(id: string) {
      let hole = made.get(id);
      if (hole === undefined) {
        hole = Object.freeze({});
        holes.set(hole, id);
        made.set(id, hole);
      }
      return hole;
    },
  } as unknown as TemporaryReferences;
}

export type Copy = (refs: TemporaryReferences | undefined) => unknown;

export interface Template {
  bytes: Uint8Array;
  /** A fresh copy for a caller (its temporary references fill the holes); `undefined`: decode. */
  copy: Copy | undefined;
}

/** React's production builds (chosen, like React's own, by NODE_ENV). */
export const production = process.env.NODE_ENV === 'production';

/**
 * Decode `bytes` once into a private template. A payload that refers to the caller's temporary
 * references (children, callbacks) is decoded with placeholders in their place, in production
 * builds only (development builds validate and freeze elements; they decode on every hit).
 */
export async function buildTemplate(bytes: Uint8Array): Promise<Template> {
  const refers = refersToTemporaryReferences(bytes);
  if (refers && !production) return { bytes, copy: undefined };
  const value = await decodeValue(bytes, refers ? placeholderReferences() : undefined);
  return { bytes, copy: copier(value) };
}

/** A fresh value from a template for a caller with temporary references `refs`. */
export function handOut(template: Template, refs: TemporaryReferences | undefined): unknown {
  if (template.copy !== undefined) return template.copy(refs);
  return decodeValue(template.bytes, refs ?? new Map(), true);
}

// --- Copies of decoded values -----------------------------------------------------------------

/**
 * A function returning a deep copy of `value` each call, or `undefined` when the value holds
 * something that cannot be copied faithfully (promises, lazy or frozen elements, errors,
 * functions, class instances, frozen objects): those are decoded anew on every hit.
 *
 * Handles primitives, plain objects and arrays (production React elements are plain objects),
 * Date, Map, Set, ArrayBuffer and typed arrays, and placeholders of temporary references (filled
 * from the `refs` given to the copy); shared references and cycles are kept as such.
 */
export function copier(value: unknown): Copy | undefined {
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'function' ? undefined : () => value;
  }
  const state = { shared: false };
  if (!copyable(value, new Set(), state)) return undefined;
  return state.shared ? (refs) => copyGraph(value, refs, new Map()) : (refs) => copyTree(value, refs);
}

function copyable(value: unknown, seen: Set<object>, state: { shared: boolean }): boolean {
  if (typeof value === 'function') return false;
  if (typeof value !== 'object' || value === null) return true;
  if (holes.has(value)) return true;
  if (seen.has(value)) {
    state.shared = true;
    return true;
  }
  seen.add(value);
  if (!Object.isExtensible(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto === Array.prototype) {
    const array = value as unknown[];
    if (Object.keys(array).length !== array.length) return false;
    for (const item of array) if (!copyable(item, seen, state)) return false;
    return true;
  }
  if (proto === Object.prototype) {
    if (Object.getOwnPropertySymbols(value).length > 0) return false;
    for (const key of Object.keys(value)) {
      if (key === '__proto__') return false;
      const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
      if (descriptor.get !== undefined || descriptor.set !== undefined || !descriptor.writable) return false;
      if (!copyable(descriptor.value, seen, state)) return false;
    }
    return Object.getOwnPropertyNames(value).length === Object.keys(value).length;
  }
  if (value instanceof Date) return proto === Date.prototype;
  if (value instanceof Map) {
    if (proto !== Map.prototype) return false;
    for (const [k, v] of value) if (!copyable(k, seen, state) || !copyable(v, seen, state)) return false;
    return true;
  }
  if (value instanceof Set) {
    if (proto !== Set.prototype) return false;
    for (const v of value) if (!copyable(v, seen, state)) return false;
    return true;
  }
  if (value instanceof ArrayBuffer) return proto === ArrayBuffer.prototype;
  if (ArrayBuffer.isView(value)) {
    return !(value.buffer instanceof SharedArrayBuffer) && Object.keys(value).length === typedLength(value);
  }
  return false;
}

function typedLength(view: ArrayBufferView): number {
  return view instanceof DataView ? 0 : (view as unknown as { length: number }).length;
}

function fill(hole: object, refs: TemporaryReferences | undefined): unknown {
  return refs?.get(holes.get(hole)!);
}

function copyTree(value: unknown, refs: TemporaryReferences | undefined): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyTree(value[i], refs);
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto === Object.prototype && Object.isExtensible(value)) {
    const out: Record<string, unknown> = {};
    for (const key in value) out[key] = copyTree((value as Record<string, unknown>)[key], refs);
    return out;
  }
  if (holes.has(value)) return fill(value, refs);
  return copySpecial(value, (v) => copyTree(v, refs));
}

function copyGraph(value: unknown, refs: TemporaryReferences | undefined, memo: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (holes.has(value)) return fill(value, refs);
  const done = memo.get(value);
  if (done !== undefined) return done;
  const copy = (v: unknown) => copyGraph(v, refs, memo);
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    memo.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto === Object.prototype) {
    const out: Record<string, unknown> = {};
    memo.set(value, out);
    for (const key in value) out[key] = copy((value as Record<string, unknown>)[key]);
    return out;
  }
  if (value instanceof Map) {
    const out = new Map();
    memo.set(value, out);
    for (const [k, v] of value) out.set(copy(k), copy(v));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    memo.set(value, out);
    for (const v of value) out.add(copy(v));
    return out;
  }
  const out = copySpecial(value, copy);
  memo.set(value, out);
  return out;
}

function copySpecial(value: object, copy: (v: unknown) => unknown): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Map) {
    const out = new Map();
    for (const [k, v] of value) out.set(copy(k), copy(v));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    for (const v of value) out.add(copy(v));
    return out;
  }
  if (value instanceof ArrayBuffer) return value.slice(0);
  if (value instanceof DataView) {
    return new DataView(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer);
  }
  // A typed array: same type, own buffer.
  return (value as unknown as { slice(): unknown }).slice();
}

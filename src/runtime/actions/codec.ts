// Serialisation of the values an inline server action captures, before encryption.
//
// Two forms, told apart by the first character of the plaintext:
//   'J' + JSON      values made only of strings, finite numbers, booleans, null, arrays and
//                   plain objects (the common case; ~0.3 µs instead of ~2 µs for encodeReply)
//   'R' + string    anything else React can send to a server function, through
//   'F' + JSON      react-server-dom-webpack's encodeReply (Date, Map, Set, BigInt, typed
//                   arrays, Blob, FormData, promises, undefined, NaN, -0, ...). 'R' holds its
//                   string output; 'F' its FormData output as [key, string | blob] entries.
// Decoding goes through decodeReply, so captured values arrive in the action exactly as its
// arguments do, without decodeReply's size limits: the plaintext was authenticated first, so it
// is what this runtime encoded (see own-reply.ts).

import { decodeOwnReply } from '../own-reply.js';
import { flight } from '../flight.js';

const MAX_FAST_DEPTH = 32;

function isJsonSafe(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_FAST_DEPTH) return false;
      const proto = Object.getPrototypeOf(value);
      if (proto === Array.prototype) {
        const array = value as unknown[];
        for (let i = 0; i < array.length; i++) if (!isJsonSafe(array[i], depth + 1)) return false;
        return true;
      }
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) return false; // enumerable inherited keys: not plain
        if (!isJsonSafe((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false; // undefined, bigint, symbol, function
  }
}

type BlobEntry = { blob: string; type: string; name?: string };
type FormEntry = [string, string | BlobEntry];

/** The plaintext for `values`: synchronous for JSON-safe values, else a promise. */
export function encodeBoundValues(values: unknown[]): string | Promise<string> {
  if (isJsonSafe(values, 0)) return 'J' + JSON.stringify(values);
  return flight.encodeReply(values).then(async (reply) => {
    if (typeof reply === 'string') return 'R' + reply;
    const entries: FormEntry[] = [];
    for (const [key, value] of reply.entries()) {
      if (typeof value === 'string') {
        entries.push([key, value]);
      } else {
        const blob = value as Blob & { name?: string };
        const entry: BlobEntry = { blob: Buffer.from(await blob.arrayBuffer()).toString('base64'), type: blob.type };
        if (typeof blob.name === 'string') entry.name = blob.name;
        entries.push([key, entry]);
      }
    }
    return 'F' + JSON.stringify(entries);
  });
}

/** Why `encodeBoundValues(values)` failed with `cause`, in words for an error message. */
export function unencodableReason(values: unknown[], cause: unknown): string {
  const index = values.findIndex((value) => typeof value === 'function');
  if (index >= 0)
    return `captured value ${index + 1} is a function (functions, server functions included, cannot be captured)`;
  return (cause instanceof Error ? cause.message : String(cause)).replace(/\.+$/, '');
}

/** The values back from a plaintext made by `encodeBoundValues`. */
export async function decodeBoundValues(plaintext: string): Promise<unknown[]> {
  const form = plaintext.charAt(0);
  const body = plaintext.slice(1);
  let values: unknown;
  if (form === 'J') {
    values = JSON.parse(body);
  } else if (form === 'R') {
    values = await decodeOwnReply(body);
  } else if (form === 'F') {
    const formData = new FormData();
    for (const [key, value] of JSON.parse(body) as FormEntry[]) {
      if (typeof value === 'string') {
        formData.append(key, value);
      } else {
        const bytes = Buffer.from(value.blob, 'base64');
        const blob =
          value.name === undefined
            ? new Blob([bytes], { type: value.type })
            : new File([bytes], value.name, { type: value.type });
        formData.append(key, blob);
      }
    }
    values = await decodeOwnReply(formData);
  } else {
    throw new Error(`unknown bound-values format ${JSON.stringify(form)}`);
  }
  if (!Array.isArray(values)) throw new Error('bound values are not an array');
  return values;
}

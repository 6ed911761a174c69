/**
 * `decodeReply` for replies this runtime encoded itself: the arguments of a cached call (encoded
 * in this process) and the values a Server Action captured (authenticated by AES-GCM before they
 * are decoded). `decodeReply`'s limits guard a server against hostile requests: an array-size
 * budget (1,000,000 slots by default, counting string lengths and typed-array bytes) and BigInts
 * of at most 300 digits. Neither applies to values that never came from a client, so these decode
 * whatever their size, as the same call made uncached would have received them:
 *
 * - `arraySizeLimit: Infinity` lifts the budget (react-server-dom-webpack 19.3's option);
 * - the BigInt limit has no option: a BigInt over 300 digits (`"$n<digits>"`, the only reply
 *   value starting with `$n`, since encodeReply writes a string starting with `$` as `$$...`) is
 *   replaced by an unforgeable marker string before decoding and put back after.
 */
import { randomBytes } from 'node:crypto';
import { flight, type ServerTemporaryReferences } from './flight.js';

/** React's limit: `"$n"` followed by more than this many characters (sign included) is refused. */
const BIGINT_MAX_CHARS = 300;
/** Cheap pre-test: a reply part that may hold such a BigInt. */
const MAYBE_BIG = /"\$n-?\d{300}/;

export async function decodeOwnReply(
  body: string | FormData,
  temporaryReferences?: ServerTemporaryReferences,
): Promise<unknown> {
  const lifted = liftBigInts(body);
  const value = await flight.decodeReply(lifted?.body ?? body, {
    temporaryReferences,
    arraySizeLimit: Infinity,
  });
  if (lifted === undefined) return value;
  return restore(value, lifted.values, new Set());
}

interface Lifted {
  body: string | FormData;
  /** Marker string -> the BigInt it stands for. */
  values: Map<string, bigint>;
}

function liftBigInts(body: string | FormData): Lifted | undefined {
  if (typeof body === 'string') {
    if (!MAYBE_BIG.test(body)) return undefined;
    const values = new Map<string, bigint>();
    const nonce = randomBytes(12).toString('hex');
    return { body: liftPart(body, values, nonce), values };
  }
  let found = false;
  for (const value of body.values()) if (typeof value === 'string' && MAYBE_BIG.test(value)) found = true;
  if (!found) return undefined;
  const values = new Map<string, bigint>();
  const nonce = randomBytes(12).toString('hex');
  const out = new FormData();
  for (const [name, value] of body.entries()) {
    out.append(name, typeof value === 'string' && MAYBE_BIG.test(value) ? liftPart(value, values, nonce) : value);
  }
  return { body: out, values };
}

/** One JSON part of a reply, with its large BigInt values replaced by markers. */
function liftPart(part: string, values: Map<string, bigint>, nonce: string): string {
  return JSON.stringify(JSON.parse(part), (_key, value: unknown) => {
    if (typeof value !== 'string' || !value.startsWith('$n') || value.length - 2 <= BIGINT_MAX_CHARS) return value;
    const marker = `bigint:${nonce}:${values.size}`;
    values.set(marker, BigInt(value.slice(2)));
    return marker;
  });
}

/**
 * Put the BigInts back where their markers were decoded (the decoded value is ours to change).
 * Opaque temporary references are functions (proxies that throw when read): never entered.
 */
function restore(value: unknown, values: Map<string, bigint>, seen: Set<object>): unknown {
  if (typeof value === 'string') return values.get(value) ?? value;
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  const put = (v: unknown) => restore(v, values, seen);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = put(value[i]);
  } else if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [put(k), put(v)] as const);
    value.clear();
    for (const [k, v] of entries) value.set(k, v);
  } else if (value instanceof Set) {
    const items = [...value].map(put);
    value.clear();
    for (const item of items) value.add(item);
  } else if (typeof (value as { then?: unknown }).then === 'function') {
    return Promise.resolve(value as PromiseLike<unknown>).then(put);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = put(record[key]);
  }
  return value;
}

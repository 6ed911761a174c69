/**
 * The cache key of one call: a SHA-256 of the key namespace (build id, react-server-dom-webpack
 * version, build mode), the function id and the arguments (captured values first) serialised by
 * react-server-dom-webpack's `encodeReply` with a temporary-reference set, so functions, JSX,
 * class instances and symbols become opaque slots that do not change the key.
 *
 * Null-prototype objects are made plain first (see plain-args.ts): keyed and passed by content.
 *
 * Arguments that are all primitives skip `encodeReply`: `encodePrimitiveArgs` writes the very
 * string `encodeReply` would (proven against it by a property test), so the key is identical on
 * both paths.
 */
import { createHash, hash } from 'node:crypto';
import { flight, type ClientTemporaryReferences, type ReplyBody } from './flight.js';
import { ReferencesNoticingBareObjects, withPlainObjects } from './plain-args.js';

export type TemporaryReferences = ClientTemporaryReferences;
export type { ReplyBody };

export interface CallKey {
  /** What handlers store the entry under (64 hex characters). */
  key: string;
  /** `encodeReply` output: decoded with `decodeReply` before the body runs. */
  body: ReplyBody;
  /** The call's client-side temporary references (to decode a value that refers to them). */
  refs: TemporaryReferences | undefined;
  /** The arguments hold opaque values (functions, JSX, class instances, symbols). */
  opaque: boolean;
}

/**
 * `encodeReply(args)` for an argument list of primitives only (string, number, boolean, null,
 * undefined, bigint), written directly; `undefined` when some argument is not one.
 */
export function encodePrimitiveArgs(args: readonly unknown[]): string | undefined {
  let out = '[';
  for (let i = 0; i < args.length; i++) {
    if (i > 0) out += ',';
    const value = args[i];
    switch (typeof value) {
      case 'string':
        out += JSON.stringify(value.charCodeAt(0) === 36 /* $ */ ? '$' + value : value);
        break;
      case 'number':
        if (Number.isFinite(value)) out += value === 0 && 1 / value < 0 ? '"$-0"' : String(value);
        else out += value === Infinity ? '"$Infinity"' : value === -Infinity ? '"$-Infinity"' : '"$NaN"';
        break;
      case 'boolean':
        out += value ? 'true' : 'false';
        break;
      case 'undefined':
        out += '"$undefined"';
        break;
      case 'bigint':
        out += '"$n' + value.toString(10) + '"';
        break;
      case 'object':
        if (value !== null) return undefined;
        out += 'null';
        break;
      default:
        return undefined;
    }
  }
  return out + ']';
}

/** What every key of function `id` starts with: the key namespace, the id and a separator. */
export function keyPrefix(namespace: string, id: string): string {
  return namespace + id + '\0';
}

/** The key of a call whose arguments are all primitives, without a promise; else `undefined`. */
export function primitiveCallKey(prefix: string, args: readonly unknown[]): CallKey | undefined {
  const body = encodePrimitiveArgs(args);
  if (body === undefined) return undefined;
  return { key: hashString(prefix + body), body, refs: undefined, opaque: false };
}

/** The key of any call; rejects with React's error when an argument cannot be encoded. */
export function callKey(prefix: string, args: readonly unknown[]): Promise<CallKey> {
  const fast = primitiveCallKey(prefix, args);
  if (fast !== undefined) return Promise.resolve(fast);
  const refs = new ReferencesNoticingBareObjects();
  return flight.encodeReply(args, { temporaryReferences: refs }).then((body) => {
    if (!refs.sawBareObject) return keyOfBody(prefix, body, refs);
    // Null-prototype objects were sent as opaque references: encode again with plain copies.
    const again = flight.createClientTemporaryReferenceSet();
    return flight
      .encodeReply(withPlainObjects(args), { temporaryReferences: again })
      .then((plainBody) => keyOfBody(prefix, plainBody, again));
  });
}

function keyOfBody(prefix: string, body: ReplyBody, refs: TemporaryReferences): CallKey | Promise<CallKey> {
  if (typeof body === 'string') {
    return { key: hashString(prefix + body), body, refs, opaque: body.includes('"$T') };
  }
  return hashFormData(prefix, body).then(({ key, opaque }) => ({ key, body, refs, opaque }));
}

function hashString(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * FormData entries arrive in promise-resolution order: hash them sorted by name (stably, so the
 * chunks of one stream keep their order), each name and value length-prefixed.
 */
async function hashFormData(prefix: string, body: FormData): Promise<{ key: string; opaque: boolean }> {
  const entries = [...body.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const h = createHash('sha256').update(prefix).update('F');
  let opaque = false;
  for (const [name, value] of entries) {
    h.update(`${name.length}:${name}`);
    if (typeof value === 'string') {
      if (!opaque && value.includes('"$T')) opaque = true;
      h.update(`s${Buffer.byteLength(value)}:`).update(value);
    } else {
      const bytes = new Uint8Array(await value.arrayBuffer());
      h.update(`b${bytes.byteLength}:`).update(bytes);
    }
  }
  return { key: h.digest('hex'), opaque };
}

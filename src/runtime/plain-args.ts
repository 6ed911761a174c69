/**
 * Null-prototype objects (`querystring.parse`, `Object.create(null)`, `Object.groupBy`) are data,
 * but `encodeReply` treats them as opaque temporary references: two different ones would give one
 * key, and the body would get a reference it cannot read. `withPlainObjects` gives the arguments
 * with every such object replaced by a plain copy, so they are keyed and passed by content, as
 * plain objects are.
 *
 * The first `encodeReply` tells whether there is one (`ReferencesNoticingBareObjects`); only then
 * are the arguments copied and encoded again. The copy follows what `encodeReply` serialises:
 * arrays, plain objects, Maps, Sets, iterables and promises; it stops at React elements and at
 * everything `encodeReply` sends whole or as opaque. The caller's values are never modified.
 */

const REACT_ELEMENT = Symbol.for('react.transitional.element');
const REACT_LAZY = Symbol.for('react.lazy');

/**
 * A temporary-reference set that notes whether `encodeReply` met a null-prototype object (it
 * registers every object it serialises, and every opaque value, here): the common case learns
 * that there is nothing to do at no extra cost.
 */
export class ReferencesNoticingBareObjects extends Map<string, unknown> {
  sawBareObject = false;
  override set(key: string, value: unknown): this {
    if (!this.sawBareObject && typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === null) {
      this.sawBareObject = true;
    }
    return super.set(key, value);
  }
}

/**
 * A copy of `args` with null-prototype objects made plain (containers copied, shared references
 * and cycles kept). Throws a TypeError for an iterator, which the first `encodeReply` has read.
 */
export function withPlainObjects(args: readonly unknown[]): readonly unknown[] {
  return copy(args, new Map()) as readonly unknown[];
}

type Kind = 'leaf' | 'array' | 'record' | 'bare' | 'map' | 'set' | 'promise' | 'iterator' | 'iterable';

/** How `encodeReply` treats `value`, as far as this walk cares. */
function kindOf(value: unknown): Kind {
  if (typeof value !== 'object' || value === null) return 'leaf';
  if (Array.isArray(value)) return 'array';
  const typeOf = (value as { $$typeof?: unknown }).$$typeof;
  if (typeOf === REACT_ELEMENT || typeOf === REACT_LAZY) return 'leaf';
  if (typeof (value as { then?: unknown }).then === 'function') return 'promise';
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === Object.prototype) return 'record';
  if (proto === null) return 'bare';
  if (value instanceof Map) return 'map';
  if (value instanceof Set) return 'set';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Blob) return 'leaf';
  if (value instanceof FormData || value instanceof Date) return 'leaf';
  const iterate = (value as Partial<Iterable<unknown>>)[Symbol.iterator];
  if (typeof iterate === 'function') return iterate.call(value) === value ? 'iterator' : 'iterable';
  return 'leaf'; // a class instance, a stream, an async iterable: as encodeReply sends it
}

function copy(value: unknown, memo: Map<object, unknown>): unknown {
  const kind = kindOf(value);
  if (kind === 'leaf') return value;
  const object = value as object;
  const done = memo.get(object);
  if (done !== undefined) return done;
  switch (kind) {
    case 'array': {
      const source = value as unknown[];
      const out = new Array<unknown>(source.length);
      memo.set(object, out);
      for (let i = 0; i < source.length; i++) out[i] = copy(source[i], memo);
      return out;
    }
    case 'record':
    case 'bare': {
      const out: Record<string, unknown> = {};
      memo.set(object, out);
      for (const key of Object.keys(object)) define(out, key, copy((object as Record<string, unknown>)[key], memo));
      return out;
    }
    case 'map': {
      const out = new Map<unknown, unknown>();
      memo.set(object, out);
      for (const [k, v] of value as Map<unknown, unknown>) out.set(copy(k, memo), copy(v, memo));
      return out;
    }
    case 'set': {
      const out = new Set<unknown>();
      memo.set(object, out);
      for (const item of value as Set<unknown>) out.add(copy(item, memo));
      return out;
    }
    case 'promise': {
      // What the promise resolves to is serialised too: made plain when it arrives.
      const out = Promise.resolve(value as PromiseLike<unknown>).then((resolved) => copy(resolved, memo));
      memo.set(object, out);
      return out;
    }
    case 'iterator':
      throw new TypeError(
        'an argument holds an iterator next to a null-prototype object: the iterator was read to encode ' +
          'the arguments and cannot be read again to encode the object by content. Pass an array (Array.from(iterator)) ' +
          'or a plain object ({ ...object }).',
      );
    default: {
      // Another iterable is read again, and serialised as its items, as an array is.
      const out: unknown[] = [];
      memo.set(object, out);
      for (const item of value as Iterable<unknown>) out.push(copy(item, memo));
      return out;
    }
  }
}

/** An own data property, even for the key "__proto__" (never a prototype change). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

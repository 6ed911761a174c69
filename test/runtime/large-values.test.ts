// Large arguments and captured values work cached as they do uncached. decodeReply's limits
// (an array-size budget of 1,000,000 "slots", counting string lengths and typed-array bytes, and
// BigInts of at most 300 digits) guard a server against hostile requests; what this runtime
// encoded itself is not hostile, so it must decode whatever its size.
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  decryptBound,
  encryptBound,
  InvalidBoundArgumentsError,
  resetCache,
  setEncryptionKey,
} from '../../src/runtime/index.js';
import { counted } from './helpers.js';

beforeEach(() => resetCache());

const ACTION = 'f'.repeat(64);

const large: Array<[label: string, make: () => unknown, summary: (value: any) => unknown]> = [
  ['a 1 MB string', () => 'x'.repeat(1_000_000) + 'end', (s: string) => [s.length, s.slice(-3)]],
  [
    'a 1.5 MB Uint8Array',
    () => new Uint8Array(1_500_000).fill(7),
    (a: Uint8Array) => [a.constructor.name, a.length, a[1_499_999]],
  ],
  [
    'an array of 1,000,000 numbers',
    () => Array.from({ length: 1_000_000 }, (_, i) => i),
    (a: number[]) => [a.length, a[999_999]],
  ],
  ['a 400-digit BigInt', () => 10n ** 399n + 7n, (n: bigint) => [typeof n, String(n).length, n % 10n]],
  [
    'BigInts of 300 and 301 digits next to each other, nested',
    () => ({ list: [10n ** 299n, 10n ** 300n], map: new Map([['k', -(10n ** 400n)]]), s: '$n1' }),
    (v: { list: bigint[]; map: Map<string, bigint>; s: string }) => [
      String(v.list[0]).length,
      String(v.list[1]).length,
      String(v.map.get('k')).length,
      v.s,
    ],
  ],
];

describe('large arguments of cached functions', () => {
  for (const [label, make, summary] of large) {
    it(`${label}: computed, cached and keyed as uncached`, async () => {
      const uncached = async (value: unknown) => summary(value);
      const f = counted(uncached);
      const expected = await uncached(make());
      expect(await f(make())).toEqual(expected);
      expect(await f(make())).toEqual(expected);
      expect(f.state.runs).toBe(1);
    }, 60_000);
  }

  it('two 400-digit BigInts that differ in the last digit are two entries', async () => {
    const f = counted(async (n: bigint) => n % 10n);
    expect(await f(10n ** 399n + 1n)).toBe(1n);
    expect(await f(10n ** 399n + 2n)).toBe(2n);
    expect(f.state.runs).toBe(2);
  });
});

describe('large values captured by a Server Action', () => {
  for (const [label, make, summary] of large) {
    it(`${label}: sealed and opened, never rejected as tampered`, async () => {
      setEncryptionKey(randomBytes(32));
      const sealed = await encryptBound(ACTION, [make(), 'after']);
      const opened = await decryptBound(ACTION, sealed);
      expect(opened[1]).toBe('after');
      expect(summary(opened[0])).toEqual(summary(make()));
    }, 60_000);
  }

  it('a tampered ciphertext of large values is still rejected as tampered', async () => {
    setEncryptionKey(randomBytes(32));
    const sealed = await encryptBound(ACTION, [10n ** 399n]);
    const flipped = sealed.slice(0, 40) + (sealed[40] === 'A' ? 'B' : 'A') + sealed.slice(41);
    await expect(decryptBound(ACTION, flipped)).rejects.toBeInstanceOf(InvalidBoundArgumentsError);
  });
});

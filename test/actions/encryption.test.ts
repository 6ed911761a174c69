import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flipChar, freshActions } from './helpers.js';

const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const KEY = randomBytes(32);

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('encryptBound / decryptBound', () => {
  it('round-trips JSON-safe values through a compact base64url string', async () => {
    const { encryptBound, decryptBound, setEncryptionKey } = await freshActions();
    setEncryptionKey(KEY);
    const values = ['secret', 42, true, null, { a: [1, 'x', { b: false }] }, '$dollar', ''];
    const sealed = await encryptBound(ID_A, values);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('secret');
    expect(await decryptBound(ID_A, sealed)).toEqual(values);
    expect(await decryptBound(ID_A, Promise.resolve(sealed))).toEqual(values);
  });

  it('round-trips values JSON cannot carry (Date, Map, Set, BigInt, typed arrays, undefined, NaN, -0, Blob)', async () => {
    const { encryptBound, decryptBound, setEncryptionKey } = await freshActions();
    setEncryptionKey(KEY);
    const values = [
      new Date(86_400_000),
      new Map<unknown, unknown>([['k', { v: 1 }]]),
      new Set([1, 2]),
      2n ** 70n,
      new Uint8Array([1, 2, 255]),
      undefined,
      NaN,
      -0,
      Infinity,
      { nested: undefined, when: new Date(0) },
      new Blob(['hello'], { type: 'text/plain' }),
    ];
    const out = await decryptBound(ID_A, await encryptBound(ID_A, values));
    expect(out.slice(0, 10)).toEqual(values.slice(0, 10));
    expect(Object.is(out[7], -0)).toBe(true);
    const blob = out[10] as Blob;
    expect(blob.type).toBe('text/plain');
    expect(await blob.text()).toBe('hello');
  });

  it('uses a fresh IV each time', async () => {
    const { encryptBound, setEncryptionKey } = await freshActions();
    setEncryptionKey(KEY);
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) seen.add(await encryptBound(ID_A, ['same']));
    expect(seen.size).toBe(600);
  });

  it('explains values that cannot be sent', async () => {
    const { encryptBound, setEncryptionKey } = await freshActions();
    setEncryptionKey(KEY);
    await expect(encryptBound(ID_A, ['ok', () => 1])).rejects.toThrow(
      `cannot encrypt the values captured by server action ${ID_A}: captured value 2 is a function`,
    );
    await expect(encryptBound(ID_A, [{ deep: Symbol('local') }])).rejects.toThrow(
      new RegExp(`cannot encrypt the values captured by server action ${ID_A}: .*Symbol`),
    );
  });

  it('rejects tampered, truncated and foreign ciphertexts without decoding them', async () => {
    const { encryptBound, decryptBound, setEncryptionKey } = await freshActions();
    setEncryptionKey(KEY);
    const sealed = await encryptBound(ID_A, ['secret', { n: 1 }]);
    const message = `Invalid or tampered bound arguments for server action ${ID_A}`;
    const bad: unknown[] = [
      flipChar(sealed, 3), // iv
      flipChar(sealed, 20), // auth tag
      flipChar(sealed, sealed.length - 2), // ciphertext
      sealed.slice(0, -1),
      sealed.slice(0, 30),
      sealed + 'AA',
      '',
      'not base64url!',
      Buffer.from('J["forged"]').toString('base64url'),
      42,
      null,
      undefined,
      { sealed },
      ['secret'],
    ];
    for (const value of bad) {
      await expect(decryptBound(ID_A, value as string)).rejects.toThrow(message);
    }
    await expect(decryptBound(ID_A, Promise.reject(new Error('x')))).rejects.toThrow(message);
    const error = await decryptBound(ID_A, flipChar(sealed, 40)).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'InvalidBoundArgumentsError',
      code: 'ERR_INVALID_BOUND_ARGUMENTS',
      actionId: ID_A,
    });
  });

  it('binds a ciphertext to its action: another action rejects it (no replay)', async () => {
    const { encryptBound, decryptBound, setEncryptionKey } = await freshActions();
    setEncryptionKey(KEY);
    const forA = await encryptBound(ID_A, ['admin']);
    await expect(decryptBound(ID_B, forA)).rejects.toThrow(
      `Invalid or tampered bound arguments for server action ${ID_B}`,
    );
    expect(await decryptBound(ID_A, forA)).toEqual(['admin']);
  });
});

describe('the encryption key', () => {
  it('comes from USE_CACHE_ENCRYPTION_KEY (base64 of 32 bytes), without a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const first = await freshActions({ key: KEY.toString('base64') });
    const sealed = await first.encryptBound(ID_A, ['v']);
    // Another process with the same environment decrypts it.
    const second = await freshActions({ key: KEY.toString('base64') });
    expect(await second.decryptBound(ID_A, sealed)).toEqual(['v']);
    // A process with another key does not.
    const third = await freshActions({ key: randomBytes(32).toString('base64') });
    await expect(third.decryptBound(ID_A, sealed)).rejects.toThrow('Invalid or tampered bound arguments');
    expect(warn).not.toHaveBeenCalled();
  });

  it('rejects a malformed environment key with a clear error (never falls back silently)', async () => {
    const { encryptBound } = await freshActions({ key: 'too-short' });
    await expect(encryptBound(ID_A, ['v'])).rejects.toThrow(
      /invalid server action encryption key from the environment variable USE_CACHE_ENCRYPTION_KEY/,
    );
    const sixteen = await freshActions({ key: randomBytes(16).toString('base64') });
    await expect(sixteen.encryptBound(ID_A, ['v'])).rejects.toThrow(/expected 32 bytes/);
  });

  it('comes from setEncryptionKey (base64 string, base64url string, Buffer or Uint8Array), over the environment', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const reference = await freshActions();
    reference.setEncryptionKey(KEY);
    const sealed = await reference.encryptBound(ID_A, ['v']);
    for (const form of [KEY.toString('base64'), KEY.toString('base64url'), new Uint8Array(KEY), KEY]) {
      const actions = await freshActions({ key: randomBytes(32).toString('base64') });
      actions.setEncryptionKey(form);
      expect(await actions.decryptBound(ID_A, sealed)).toEqual(['v']);
    }
    expect(warn).not.toHaveBeenCalled();
  });

  it('comes from configureCache({ encryptionKey }) of the runtime entry', async () => {
    const reference = await freshActions();
    reference.setEncryptionKey(KEY);
    const sealed = await reference.encryptBound(ID_A, ['v']);
    await freshActions();
    const runtime = await import('babel-plugin-use-cache/runtime');
    runtime.configureCache({ encryptionKey: KEY.toString('base64') });
    expect(await runtime.decryptBound(ID_A, sealed)).toEqual(['v']);
    expect(() => runtime.configureCache({ encryptionKey: 'nope' })).toThrow(/invalid server action encryption key/);
  });

  it('setEncryptionKey rejects anything but 32 bytes', async () => {
    const { setEncryptionKey } = await freshActions();
    const bad: unknown[] = [
      '',
      'abc',
      randomBytes(31).toString('base64'),
      randomBytes(33).toString('base64'),
      randomBytes(16),
      new Uint8Array(64),
      42,
      null,
      undefined,
      {},
      [1, 2],
    ];
    for (const key of bad) {
      expect(() => setEncryptionKey(key as string)).toThrow(
        /invalid server action encryption key from setEncryptionKey.*expected 32 bytes/s,
      );
    }
  });

  it('falls back to a random per-process key with a one-time warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { encryptBound, decryptBound } = await freshActions();
    const sealed = await encryptBound(ID_A, ['v']);
    await encryptBound(ID_B, ['w']);
    expect(await decryptBound(ID_A, sealed)).toEqual(['v']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/random key.*several instances.*USE_CACHE_ENCRYPTION_KEY/s);
    // A new process (a fresh key) cannot read it.
    const other = await freshActions();
    await expect(other.decryptBound(ID_A, sealed)).rejects.toThrow('Invalid or tampered bound arguments');
  });
});

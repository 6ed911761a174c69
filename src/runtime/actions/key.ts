// The key that encrypts the captured values of server actions: configured with
// `setEncryptionKey` (what `configureCache({ encryptionKey })` calls), else the environment
// variable USE_CACHE_ENCRYPTION_KEY, else a random key for this process (with a warning).

import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

const KEY_ENV = 'USE_CACHE_ENCRYPTION_KEY';
const KEY_BYTES = 32;
const BASE64_32_BYTES = /^(?:[A-Za-z0-9+/]{43}=?|[A-Za-z0-9_-]{43})$/;

interface KeyState {
  key: KeyObject | null;
  warned: boolean;
}

// Kept on globalThis so that two copies of the runtime in one process (a bundled server plus the
// package loaded by Node, say) encrypt and decrypt with the same key.
const STATE = Symbol.for('babel-plugin-use-cache.actions.key');
const holder = globalThis as typeof globalThis & { [STATE]?: KeyState };
const state: KeyState = (holder[STATE] ??= { key: null, warned: false });

function describe(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  if (value === null) return 'null';
  return typeof value;
}

/** Turns a base64 string or 32 bytes into a KeyObject, or throws an error naming `origin`. */
function importEncryptionKey(value: unknown, origin: string): KeyObject {
  let bytes: Uint8Array | null = null;
  if (typeof value === 'string') {
    const text = value.trim();
    // Node's base64 decoder reads the URL-safe alphabet too.
    if (BASE64_32_BYTES.test(text)) bytes = Buffer.from(text, 'base64');
  } else if (value instanceof Uint8Array) {
    bytes = value;
  }
  if (bytes === null || bytes.byteLength !== KEY_BYTES) {
    throw new TypeError(
      `babel-plugin-use-cache: invalid server action encryption key from ${origin}: expected ` +
        `${KEY_BYTES} bytes, as a base64 string (44 characters) or a Uint8Array/Buffer, got ${describe(value)}. ` +
        `Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
    );
  }
  return createSecretKey(Buffer.from(bytes));
}

/**
 * Sets the key that encrypts the values captured by server actions and inline cached functions
 * (32 bytes, or base64 of them).
 */
export function setEncryptionKey(key: string | Uint8Array): void {
  state.key = importEncryptionKey(key, 'setEncryptionKey / configureCache({ encryptionKey })');
}

/** The key in use, resolved once (configured, then environment, then a random per-process key). */
export function getEncryptionKey(): KeyObject {
  if (state.key !== null) return state.key;
  const fromEnv = typeof process !== 'undefined' ? process.env?.[KEY_ENV] : undefined;
  if (fromEnv !== undefined && fromEnv !== '') {
    state.key = importEncryptionKey(fromEnv, `the environment variable ${KEY_ENV}`);
    return state.key;
  }
  state.key = createSecretKey(randomBytes(KEY_BYTES));
  if (!state.warned) {
    state.warned = true;
    console.warn(
      'babel-plugin-use-cache: no encryption key is configured for the values captured by server actions and ' +
        'cached functions, so a random key was generated for this process. Pages rendered by this process can only be submitted ' +
        'back to it, and stop working after a restart. When several instances serve the same app (or to survive ' +
        `restarts), give them all the same key: set ${KEY_ENV} to a base64 string of 32 random bytes, or call ` +
        'configureCache({ encryptionKey }).',
    );
  }
  return state.key;
}

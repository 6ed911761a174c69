import { vi } from 'vitest';

const KEY_STATE = Symbol.for('babel-plugin-use-cache.actions.key');

type ActionsModule = typeof import('../../src/runtime/actions/index.js');

/**
 * A fresh copy of the actions runtime with no key resolved yet, so each test decides where the
 * key comes from (the key state lives on globalThis, shared by every copy of the runtime).
 */
export async function freshActions(env: { key?: string } = {}): Promise<ActionsModule> {
  delete (globalThis as Record<symbol, unknown>)[KEY_STATE];
  if (env.key === undefined) vi.stubEnv('USE_CACHE_ENCRYPTION_KEY', '');
  else vi.stubEnv('USE_CACHE_ENCRYPTION_KEY', env.key);
  vi.resetModules();
  return import('../../src/runtime/actions/index.js');
}

/** Changes one character of a base64url string (keeping it valid base64url). */
export function flipChar(text: string, index: number): string {
  const c = text[index];
  const replacement = c === 'A' ? 'B' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

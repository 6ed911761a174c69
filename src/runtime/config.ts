/**
 * Runtime configuration (`configureCache`) and the safe way to call the configured handlers:
 * every handler call goes through `callHandler`, which turns a throw, a rejection or a timeout
 * into a fallback value and reports the failure once through the debug log.
 */
import { createRequire } from 'node:module';
import { version as reactVersion } from 'react';
import { setEncryptionKey } from './actions/index.js';
import { debug, describeError, setDebug, type DebugSink } from './debug.js';
import { setWaitUntil } from './flush.js';
import { checkFlightBuild, flightBuildVersion, setFlight, type FlightBuild } from './flight.js';
import type { CacheHandler } from './handlers/types.js';
import { createMemoryHandler } from './handlers/memory.js';
import { hasMethods } from './handlers/shape.js';
import { emitOther } from './events.js';
import { compileProfiles, installProfiles, setProfiles, type CacheLifeInput } from './life.js';

export interface CacheConfig {
  /**
   * Handlers per cache kind (`'use cache'` is `default`, `'use cache: remote'` is `remote`, ...).
   * `remote` and `private` fall back to `default`; `default` falls back to an in-process memory
   * handler (50 MB). Extra kinds need a handler here.
   */
  handlers?: { default?: CacheHandler; remote?: CacheHandler; private?: CacheHandler } & Record<
    string,
    CacheHandler | undefined
  >;
  /** Custom profiles and overrides of the built-ins, for `cacheLife(name)`. */
  profiles?: Record<string, CacheLifeInput>;
  /** Part of every key: change it on each deploy whose cached functions changed. */
  buildId?: string;
  /** Key for the encryption of server actions' captured values (forwarded to `setEncryptionKey`). */
  encryptionKey?: Parameters<typeof setEncryptionKey>[0];
  /** Milliseconds since the epoch; `Date.now` by default. For tests. */
  clock?: () => number;
  /** A handler call slower than this is abandoned (a miss / dropped write). Default 2000; 0 = never. */
  handlerTimeoutMs?: number;
  /** `true`: log to stderr; `false`: never log; a function: receive the lines. Default: `USE_CACHE_DEBUG=1`. */
  debug?: boolean | DebugSink;
  /**
   * Receives every background promise (handler writes, background refreshes, tag updates), e.g.
   * a serverless platform's `waitUntil`, so the process is not frozen before they finish. The
   * promises never reject. `undefined` removes it.
   */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
  /**
   * The React Server DOM build the runtime serialises with (`{ server, client, version? }`), e.g.
   * the one Vite's @vitejs/plugin-rsc vendors. Default: react-server-dom-webpack. `null` restores it.
   */
  flight?: FlightBuild | null;
}

export const DEFAULT_HANDLER_TIMEOUT_MS = 2000;

let handlers: Record<string, CacheHandler | undefined> = {};
let fallbackMemory: CacheHandler | undefined;
/** `allHandlers()`, computed once per configuration. */
let distinctHandlers: ReadonlyArray<readonly [string, CacheHandler]> | undefined;
let buildId = '';
let clock: () => number = Date.now;
let handlerTimeoutMs = DEFAULT_HANDLER_TIMEOUT_MS;

/** react-server-dom-webpack's version (released in lockstep with React's). */
const flightVersion = ((): string => {
  try {
    const require = createRequire(import.meta.url);
    return (require('react-server-dom-webpack/package.json') as { version: string }).version;
  } catch {
    return reactVersion;
  }
})();
/** Which React build serialises: development payloads differ from production ones. */
const buildMode = process.env.NODE_ENV === 'production' ? 'production' : 'development';

let namespace = makeNamespace();

function makeNamespace(): string {
  const flightName =
    flightBuildVersion === undefined ? `react-server-dom-webpack@${flightVersion}` : `flight@${flightBuildVersion}`;
  return `${buildId}\0${flightName}\0${buildMode}\0`;
}

/**
 * Configure the runtime. Options not given keep their current value; `handlers` are merged per
 * kind (pass `undefined` for a kind to remove it); `profiles` replaces the custom profiles.
 * Invalid options throw before anything changes.
 */
export function configureCache(options: CacheConfig = {}): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('configureCache: expected an options object.');
  }
  const known = [
    'handlers',
    'profiles',
    'buildId',
    'encryptionKey',
    'clock',
    'handlerTimeoutMs',
    'debug',
    'waitUntil',
    'flight',
  ];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`configureCache: unknown option "${key}" (known: ${known.join(', ')}).`);
    }
  }
  if (options.handlers !== undefined && (typeof options.handlers !== 'object' || options.handlers === null)) {
    throw new TypeError('configureCache: handlers must be an object of { kind: handler }.');
  }
  if (options.waitUntil !== undefined && typeof options.waitUntil !== 'function') {
    throw new TypeError('configureCache: waitUntil must be a function receiving promises (or undefined).');
  }
  if (options.debug !== undefined && typeof options.debug !== 'boolean' && typeof options.debug !== 'function') {
    throw new TypeError('configureCache: debug must be a boolean or a function receiving log lines.');
  }
  const nextHandlers = { ...handlers };
  for (const [kind, handler] of Object.entries(options.handlers ?? {})) {
    if (handler !== undefined && !isHandler(handler)) {
      throw new TypeError(`configureCache: handlers.${kind} must implement get, set, getTagTimes and updateTags.`);
    }
    nextHandlers[kind] = handler;
  }
  if (options.buildId !== undefined && typeof options.buildId !== 'string') {
    throw new TypeError('configureCache: buildId must be a string.');
  }
  if (options.flight !== undefined && options.flight !== null) checkFlightBuild(options.flight);
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new TypeError('configureCache: clock must be a function returning milliseconds.');
  }
  const timeout = options.handlerTimeoutMs;
  if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
    throw new TypeError('configureCache: handlerTimeoutMs must be a number >= 0 (0: no timeout).');
  }
  const profileTable = 'profiles' in options ? compileProfiles(options.profiles) : undefined;
  // Last, as it validates and installs at once: nothing else has changed if it throws.
  if (options.encryptionKey !== undefined) setEncryptionKey(options.encryptionKey);
  if (profileTable !== undefined) installProfiles(profileTable);
  handlers = nextHandlers;
  distinctHandlers = undefined;
  if (options.buildId !== undefined) buildId = options.buildId;
  if (options.clock !== undefined) clock = options.clock;
  if (timeout !== undefined) handlerTimeoutMs = timeout;
  if ('debug' in options) setDebug(options.debug);
  if ('waitUntil' in options) setWaitUntil(options.waitUntil);
  if (options.flight !== undefined) setFlight(options.flight ?? undefined);
  namespace = makeNamespace();
}

/** Back to the defaults: no handlers configured (a fresh memory handler), built-in profiles. */
export function resetConfig(): void {
  handlers = {};
  fallbackMemory = undefined;
  distinctHandlers = undefined;
  buildId = '';
  clock = Date.now;
  handlerTimeoutMs = DEFAULT_HANDLER_TIMEOUT_MS;
  setProfiles(undefined);
  setDebug(undefined);
  setWaitUntil(undefined);
  setFlight(undefined);
  namespace = makeNamespace();
}

function isHandler(value: unknown): value is CacheHandler {
  return hasMethods(value, ['get', 'set', 'getTagTimes', 'updateTags']);
}

export function now(): number {
  return clock();
}

/** The prefix of every key: build id, react-server-dom-webpack version and build mode. */
export function keyNamespace(): string {
  return namespace;
}

function defaultHandler(): CacheHandler {
  return handlers.default ?? (fallbackMemory ??= createMemoryHandler());
}

/** The handler for a cache kind; throws a clear error for an extra kind without a handler. */
export function handlerFor(kind: string): CacheHandler {
  const handler = handlers[kind];
  if (handler !== undefined) return handler;
  if (kind === 'default' || kind === 'remote' || kind === 'private') return defaultHandler();
  throw new Error(
    `'use cache: ${kind}': no cache handler is configured for the kind "${kind}". ` +
      `Install one with configureCache({ handlers: { ${JSON.stringify(kind)}: handler } }).`,
  );
}

/** Every distinct handler in use (the default one included), for `revalidateTag`. */
export function allHandlers(): ReadonlyArray<readonly [kind: string, handler: CacheHandler]> {
  if (distinctHandlers !== undefined) return distinctHandlers;
  const seen = new Map<CacheHandler, string>([[defaultHandler(), 'default']]);
  for (const [kind, handler] of Object.entries(handlers)) {
    if (handler !== undefined && !seen.has(handler)) seen.set(handler, kind);
  }
  return (distinctHandlers = [...seen].map(([handler, kind]) => [kind, handler] as const));
}

// --- Calling handlers safely --------------------------------------------------------------

export type HandlerOp = 'get' | 'set' | 'getTagTimes' | 'updateTags' | 'acquireLease' | 'releaseLease';

/** Handlers (and ops) currently failing: their next failure is not reported again. */
const failing = new Map<CacheHandler, Set<HandlerOp>>();

export class HandlerTimeoutError extends Error {
  constructor(op: HandlerOp, ms: number) {
    super(`handler.${op}() did not settle within ${ms} ms`);
    this.name = 'HandlerTimeoutError';
  }
}

/**
 * Run `op` on `handler` and return its result, or `fallback` when it throws, rejects or times
 * out. Never throws.
 */
export function callHandler<T>(
  kind: string,
  handler: CacheHandler,
  op: HandlerOp,
  run: (handler: CacheHandler) => Promise<T>,
  fallback: T,
): Promise<T> {
  let promise: Promise<T>;
  try {
    promise = run(handler);
  } catch (error) {
    reportFailure(kind, handler, op, error);
    return Promise.resolve(fallback);
  }
  if (handlerTimeoutMs > 0) promise = withTimeout(promise, op, handlerTimeoutMs);
  return promise.then(
    (value) => {
      if (failing.size !== 0) reportRecovery(kind, handler, op);
      return value;
    },
    (error: unknown) => {
      reportFailure(kind, handler, op, error);
      return fallback;
    },
  );
}

function reportFailure(kind: string, handler: CacheHandler, op: HandlerOp, error: unknown): void {
  emitOther('error', { reason: 'handler', op, kind, handler, error }); // every failure; the log line once
  let ops = failing.get(handler);
  if (ops === undefined) failing.set(handler, (ops = new Set()));
  if (ops.has(op)) return;
  ops.add(op);
  debug(
    'handler-error',
    () =>
      `kind=${kind} op=${op} ${describeError(error)} (further failures of this op are not logged until it succeeds again)`,
  );
}

function reportRecovery(kind: string, handler: CacheHandler, op: HandlerOp): void {
  const ops = failing.get(handler);
  if (ops === undefined || !ops.delete(op)) return;
  if (ops.size === 0) failing.delete(handler);
  debug('handler-recovered', `kind=${kind} op=${op}`);
}

// One shared watchdog timer instead of a timer per handler call (a hit must stay cheap).
interface Watched {
  deadline: number;
  expire: () => void;
}
const watched = new Set<Watched>();
let watchdog: ReturnType<typeof setTimeout> | undefined;
let watchdogTick = 0;

function withTimeout<T>(promise: Promise<T>, op: HandlerOp, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const item: Watched = {
      deadline: performance.now() + ms,
      expire: () => reject(new HandlerTimeoutError(op, ms)),
    };
    watched.add(item);
    const tick = Math.max(1, Math.min(ms / 4, 250));
    if (watchdog === undefined || tick < watchdogTick) armWatchdog(tick);
    promise.then(
      (value) => {
        watched.delete(item);
        resolve(value);
      },
      (error: unknown) => {
        watched.delete(item);
        reject(error);
      },
    );
  });
}

function armWatchdog(tick: number): void {
  if (watchdog !== undefined) clearTimeout(watchdog);
  watchdogTick = tick;
  watchdog = setTimeout(sweep, tick);
  watchdog.unref?.();
}

function sweep(): void {
  watchdog = undefined;
  const t = performance.now();
  for (const item of watched) {
    if (item.deadline <= t) {
      watched.delete(item);
      item.expire();
    }
  }
  if (watched.size !== 0) armWatchdog(watchdogTick);
}

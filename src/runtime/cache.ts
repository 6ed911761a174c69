/**
 * The cache wrapper: key -> lookup -> (hit | stale hit + background refresh | shared fill) -> store.
 */
import { capturedKeyPart, capturedPlaintext, withCapturedValues } from './captured-values.js';
import { functionShape, type CacheFunctionOptions } from './function-shape.js';
import { callHandler, handlerFor, keyNamespace, now, resetConfig } from './config.js';
import { debug, describeError, shortKey } from './debug.js';
import { emit, resetEvents } from './events.js';
import { syncAccessOf } from './handlers/memory.js';
import type { CacheEntry, CacheHandler } from './handlers/types.js';
import { callKey, keyPrefix, primitiveCallKey, type CallKey } from './key.js';
import { fitsHandler } from './entry-size.js';
import { claimFill } from './lease.js';
import { scopeLife } from './life.js';
import { absorbInner, createScope, currentScope, isFilling, runInScope, type CacheScope } from './scope.js';
import { entryTimestamp, resetTags, tagRevision } from './tags.js';
import { activeTracer, startCallTrace, type CallTrace } from './tracing.js';
import { entryTagMarks, freshness, isEntry, leaseMarks, type Freshness } from './freshness.js';
import { requestRoute, runUncached, skippedInDraft, UNCACHED } from './request-scope.js';
import { trackBackground } from './flush.js';
import type { TagMarks } from './handlers/tag-times.js';
import {
  buildTemplate,
  createServerTemporaryReferences,
  decodeArguments,
  equalBytes,
  handOut,
  production,
  registerServerReference,
  renderResult,
  type Template,
} from './value.js';

type AsyncFunction = (...args: any[]) => Promise<unknown>;

interface CachedFunction {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly fn: AsyncFunction;
  /** What keys start with besides the namespace: the id and code hash, plus a call's captured values. */
  readonly keyId: string;
  /** `keyPrefix(namespace, keyId)`, kept for the namespace it was made for. */
  prefix: string;
  prefixNamespace: string;
}

interface Fill {
  entry: CacheEntry;
  /** Settles when the handler has stored the entry (or failed to). */
  stored: Promise<void>;
}

/** A fill in flight (a blocking one or a background refresh). */
interface InFlight {
  promise: Promise<Fill>;
  /**
   * `tagRevision()` when it started. Its tags are known only when it ends, so after any
   * revalidation in this process a call no longer joins it (it could return data from before).
   */
  readonly revision: number;
  /** A newer fill of the key replaced it: its result goes to its callers but is not stored. */
  superseded: boolean;
}

/** Fills in flight, by key: concurrent calls share one. */
const fills = new Map<string, InFlight>();

// --- Decoded templates: the fast hit path -----------------------------------------------------

const TEMPLATE_MAX_COUNT = 10_000;
const TEMPLATE_MAX_BYTES = 16 * 1024 * 1024;
/** LRU of decoded values by key, bounded by count and by the size of their bytes. */
const templates = new Map<string, Template>();
let templateBytes = 0;
/** Templates being decoded, so that a crowd of callers decodes once. */
const building = new Map<string, Promise<Template>>();

function rememberTemplate(key: string, template: Template): void {
  const previous = templates.get(key);
  if (previous !== undefined) {
    templates.delete(key);
    templateBytes -= previous.bytes.byteLength;
  }
  if (template.bytes.byteLength > TEMPLATE_MAX_BYTES / 4) return;
  templates.set(key, template);
  templateBytes += template.bytes.byteLength;
  for (const [oldKey, old] of templates) {
    if (templates.size <= TEMPLATE_MAX_COUNT && templateBytes <= TEMPLATE_MAX_BYTES) break;
    templates.delete(oldKey);
    templateBytes -= old.bytes.byteLength;
  }
}

/** The template of `bytes` stored under `key`: at hand, or decoded once for all who ask. */
function templateFor(key: string, bytes: Uint8Array): Template | Promise<Template> {
  const template = templates.get(key);
  if (template !== undefined && equalBytes(template.bytes, bytes)) return template;
  const pending = building.get(key);
  if (pending !== undefined) {
    return pending.then((built) => (equalBytes(built.bytes, bytes) ? built : buildTemplate(bytes)));
  }
  const build = buildTemplate(bytes).then(
    (built) => {
      if (building.get(key) === build) building.delete(key);
      rememberTemplate(key, built);
      return built;
    },
    (error: unknown) => {
      if (building.get(key) === build) building.delete(key);
      throw error;
    },
  );
  building.set(key, build);
  return build;
}

/** A fresh value for this caller from stored bytes (synchronous when the template is at hand). */
function materialize(call: CallKey, bytes: Uint8Array): unknown {
  // React's development builds note the component being rendered in module state while its function
  // runs. A memory-handler hit needs no await, so it would decode inside that synchronous call, and
  // the Flight client would record its debug information against the caller's render: a page
  // decoder (server rendering) then fails on it ("frame.join is not a function"). Decode once the
  // caller's synchronous part is over; production builds track nothing and keep the fast path.
  if (!production) return Promise.resolve().then(() => materializeNow(call, bytes));
  return materializeNow(call, bytes);
}

function materializeNow(call: CallKey, bytes: Uint8Array): unknown {
  const template = templateFor(call.key, bytes);
  if (template instanceof Promise) return template.then((t) => handOut(t, call.refs));
  return handOut(template, call.refs);
}

// --- The wrapper ------------------------------------------------------------------------------

/**
 * Wrap a `'use cache'` function: the returned async function caches by its arguments (captured
 * values first; only the declared parameters when the compiler says how many) and is registered
 * as a server reference under `id`.
 */
export function cacheFunction<F extends AsyncFunction>(
  id: string,
  kind: string,
  fn: F,
  options?: CacheFunctionOptions,
): F {
  if (typeof id !== 'string' || id === '') throw new TypeError('cacheFunction: id must be a non-empty string.');
  if (typeof kind !== 'string' || kind === '') throw new TypeError('cacheFunction: kind must be a non-empty string.');
  if (typeof fn !== 'function') {
    throw new TypeError(`cacheFunction("${id}"): expected a function, got ${fn === null ? 'null' : typeof fn}.`);
  }
  const shape = functionShape(id, options);
  const { arity } = shape;
  const cached: CachedFunction = {
    id,
    kind,
    name: fn.name || id,
    fn,
    keyId: shape.keyId,
    prefix: '',
    prefixNamespace: '',
  };
  const call = shape.captured
    ? (args: unknown[], trace: CallTrace | undefined) => capturedCall(cached, args, trace)
    : (args: unknown[], trace: CallTrace | undefined) => cachedCall(cached, args, trace);
  const wrapper = function (this: unknown, ...args: unknown[]) {
    // Only the declared parameters form the key (extra arguments never fragment the cache).
    if (args.length > arity) args.length = arity;
    const tracer = activeTracer();
    if (tracer === undefined) return call(args, undefined);
    const trace = startCallTrace(tracer, cached);
    // A handler's I/O runs in the span (an instrumented client's spans nest in it); an in-process
    // memory read does none, so its hits skip entering the span's context (the body always runs in it).
    return trace.settle(readsInProcess(kind) ? call(args, trace) : trace.run(() => call(args, trace)));
  };
  Object.defineProperty(wrapper, 'name', { value: cached.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: Math.min(arity, fn.length), configurable: true });
  registerServerReference(wrapper, id, null);
  return wrapper as unknown as F;
}

/**
 * A call of an inline function with captured values: the first argument holds them, as this
 * process bound them or as a client sent them back encrypted (captured-values.ts). A forged one is
 * rejected before anything runs; the call is keyed by their plaintext and the body gets them decoded.
 */
function capturedCall(cached: CachedFunction, args: unknown[], trace: CallTrace | undefined): Promise<unknown> {
  const plaintext = capturedPlaintext(cached.id, args[0]);
  const rest = args.slice(1);
  if (typeof plaintext === 'string') return cachedCall(withCaptured(cached, plaintext), rest, trace);
  return plaintext.then((text) => cachedCall(withCaptured(cached, text), rest, trace));
}

/**
 * Per function, its view for each recent set of captured values (so its key prefix is kept).
 * Bounded in count and in the size of what each holds (a view keeps its plaintext two or three
 * times): larger captured values get a view per call instead of being remembered.
 */
const capturedViews = new WeakMap<CachedFunction, Map<string, CachedFunction>>();
const CAPTURED_VIEWS_MAX = 256;
const CAPTURED_VIEW_MAX_CHARS = 4096;

function withCaptured(cached: CachedFunction, plaintext: string): CachedFunction {
  if (plaintext.length > CAPTURED_VIEW_MAX_CHARS) return capturedView(cached, plaintext);
  let views = capturedViews.get(cached);
  if (views === undefined) capturedViews.set(cached, (views = new Map()));
  let view = views.get(plaintext);
  if (view === undefined) {
    if (views.size >= CAPTURED_VIEWS_MAX) views.clear();
    views.set(plaintext, (view = capturedView(cached, plaintext)));
  }
  return view;
}

function capturedView(cached: CachedFunction, plaintext: string): CachedFunction {
  return {
    ...cached,
    fn: withCapturedValues(cached.fn, plaintext),
    keyId: cached.keyId + '\0' + capturedKeyPart(plaintext),
    prefix: '',
    prefixNamespace: '',
  };
}

/** A file-level `'use cache'` export: wrapped when it is a function at run time, else unchanged. */
export function cacheExport<T>(id: string, kind: string, value: T): T {
  return typeof value === 'function' ? (cacheFunction(id, kind, value as unknown as AsyncFunction) as T) : value;
}

/** Whether calls of `kind` read the usual handler, and it is the in-process memory handler. */
function readsInProcess(kind: string): boolean {
  try {
    return requestRoute(kind) === undefined && syncAccessOf(handlerFor(kind)) !== undefined;
  } catch {
    return false; // no handler for the kind: the call reports it
  }
}

async function cachedCall(cached: CachedFunction, args: unknown[], trace: CallTrace | undefined): Promise<unknown> {
  const { kind } = cached;
  // A request scope may route the call: private entries per request, draft mode, or uncached.
  const route = requestRoute(kind);
  if (route === UNCACHED) return runUncached(cached, args, trace);
  const handler = route?.handler ?? handlerFor(kind);
  const namespace = keyNamespace();
  if (cached.prefixNamespace !== namespace) {
    cached.prefix = keyPrefix(namespace, cached.keyId);
    cached.prefixNamespace = namespace;
  }
  let call = primitiveCallKey(cached.prefix, args) ?? (await keyOf(cached, args));
  if (route !== undefined) call = { ...call, key: call.key + route.keySuffix };
  const outer = currentScope();

  // The in-process memory handler is read synchronously: a hit then needs no promise at all.
  const sync = syncAccessOf(handler);
  const entry =
    route?.draft === true
      ? undefined // draft mode reads nothing (the miss below says so)
      : sync !== undefined
        ? sync.get(call.key)
        : await callHandler(kind, handler, 'get', (h) => h.get(call.key), undefined);
  /** Latest revalidation of the entry's tags seen now: a fill started after it is newer. */
  let observed = 0;
  if (entry !== undefined) {
    let state: Freshness | 'corrupt';
    if (!isEntry(entry)) state = 'corrupt';
    else {
      const t = now();
      let marks: TagMarks | undefined;
      if (entry.tags.length !== 0) {
        const pendingMarks = entryTagMarks(kind, handler, sync, entry, t);
        marks = pendingMarks instanceof Promise ? await pendingMarks : pendingMarks;
        observed = Math.max(marks.stale, marks.expired);
      }
      state = freshness(entry, marks, t);
    }
    if (state === 'fresh' || state === 'stale') {
      emit(state === 'fresh' ? 'hit' : 'stale', cached, call.key, handler, undefined, trace);
      if (state === 'stale') refreshInBackground(cached, call, handler, observed, entry.timestamp);
      try {
        let value = materialize(call, entry.value);
        if (value instanceof Promise) value = await value;
        if (outer !== undefined) absorbInner(outer, entry, entry.tags);
        return value;
      } catch (error) {
        emit('error', cached, call.key, handler, { reason: 'decode', error }, trace); // then computed anew
      }
    } else emit('miss', cached, call.key, handler, { reason: state }, trace);
  } else emit('miss', cached, call.key, handler, { reason: route?.draft === true ? 'draft-mode' : 'absent' }, trace);

  const inFlight = fills.get(call.key);
  if (inFlight !== undefined && isFilling(outer, call.key)) {
    throw new Error(
      `'use cache': "${cached.name}" called itself with the same arguments while computing them; ` +
        `that call could never finish. Change the arguments of the inner call or move it out of the cached function.`,
    );
  }
  let pending: Promise<Fill>;
  if (inFlight !== undefined && inFlight.revision === tagRevision()) {
    emit('join', cached, call.key, handler, undefined, trace);
    pending = inFlight.promise;
  } else {
    if (inFlight !== undefined) {
      inFlight.superseded = true;
      debug('miss', () => `${cached.name} key=${shortKey(call.key)} (not joining a fill older than a revalidation)`);
    }
    pending = startFill(
      cached,
      call,
      handler,
      observed,
      entry !== undefined && isEntry(entry) ? entry.timestamp : 0,
      trace,
    );
  }
  const fill = await pending;
  if (outer !== undefined) absorbInner(outer, fill.entry, fill.entry.tags);
  return materialize(call, fill.entry.value);
}

function keyOf(cached: CachedFunction, args: unknown[]): Promise<CallKey> {
  return callKey(cached.prefix, args).catch((error: unknown) => {
    throw new TypeError(
      `'use cache': the arguments of "${cached.name}" cannot be serialised into a cache key: ${describeError(error)}`,
      { cause: error },
    );
  });
}

function refreshInBackground(
  cached: CachedFunction,
  call: CallKey,
  handler: CacheHandler,
  observed: number,
  missed: number,
): void {
  if (fills.has(call.key)) return; // a refresh is already running
  startFill(cached, call, handler, observed, missed, 'background').catch(() => {
    // Reported by runFill as an error event; the stale value has been served.
  });
}

/**
 * Start a fill for the caller traced by `trace` (its span gets the fill's events), or in the
 * `'background'` (a stale entry's refresh, which belongs to no caller's span).
 */
function startFill(
  cached: CachedFunction,
  call: CallKey,
  handler: CacheHandler,
  observed: number,
  missed: number,
  caller: CallTrace | undefined | 'background',
): Promise<Fill> {
  const flight: InFlight = { promise: undefined as never, revision: tagRevision(), superseded: false };
  // A background refresh starts on the next turn: the stale value goes out first.
  const pending = (flight.promise =
    caller === 'background'
      ? new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
          runFill(cached, call, handler, observed, missed, flight, undefined),
        )
      : runFill(cached, call, handler, observed, missed, flight, caller));
  fills.set(call.key, flight);
  trackBackground(pending.then((fill) => fill.stored));
  const release = (): void => {
    if (fills.get(call.key) === flight) fills.delete(call.key);
  };
  pending.then((fill) => fill.stored.then(release), release);
  return pending;
}

/**
 * Run the body once, in its own scope, and serialise the result. Errors reach every waiter.
 * With a handler that leases fills, another instance may be computing it: then its entry (newer
 * than the `missed` one) is the result.
 */
async function runFill(
  cached: CachedFunction,
  call: CallKey,
  handler: CacheHandler,
  observed: number,
  missed: number,
  flight: InFlight,
  trace: CallTrace | undefined,
): Promise<Fill> {
  const claim = await claimFill(
    (op, run, fallback) => callHandler(cached.kind, handler, op, run, fallback),
    handler,
    call.key,
    // Another instance's entry counts only if fresh, revalidations seen by this process included.
    (e): e is CacheEntry =>
      e !== undefined &&
      isEntry(e) &&
      e.timestamp > missed &&
      freshness(e, leaseMarks(e, observed, now()), now()) === 'fresh',
  );
  if (claim.entry !== undefined) return { entry: claim.entry, stored: Promise.resolve() };
  const start = now();
  const began = performance.now();
  const revision = tagRevision();
  const scope: CacheScope = createScope(cached.name, call.key, currentScope());
  const serverRefs = createServerTemporaryReferences();
  const body = () =>
    runInScope(scope, async () => {
      // Decode first: the body sees opaque values as references, never the first caller's objects.
      const args = await decodeArguments(call.body, serverRefs);
      return renderResult(() => cached.fn.apply(null, args), serverRefs, cached.name);
    });
  // Traced, the body runs in the call's span: inner cached calls are its children.
  const bytes = await (trace === undefined ? body() : trace.run(body)).catch((error: unknown) => {
    emit('error', cached, call.key, handler, { reason: 'body', error }, trace);
    claim.release();
    throw error;
  });
  const entry: CacheEntry = {
    value: bytes,
    tags: [...scope.tags],
    timestamp: entryTimestamp(start, revision, observed),
    ...scopeLife(scope),
  };
  emit('fill', cached, call.key, handler, { bytes: bytes.byteLength, durationMs: performance.now() - began }, trace);
  const stored = (
    !flight.superseded &&
    !skippedInDraft(handler, cached, call.key, bytes.byteLength) &&
    fitsHandler(handler, entry, cached, call.key)
      ? callHandler(cached.kind, handler, 'set', (h) => h.set(call.key, entry), undefined)
      : Promise.resolve()
  ).then(claim.release);
  // Decode once here, so that every caller waiting for this fill gets a copy of one decode.
  try {
    await templateFor(call.key, bytes);
  } catch {
    // Then each caller decodes for itself (and gets the error if the bytes really do not decode).
  }
  return { entry, stored };
}

/**
 * Forget everything the runtime holds in this process and go back to the default configuration:
 * handlers, profiles, build id, clock, timeouts, debug, in-flight fills, decoded values and local
 * tag times. Meant for tests (call it in `beforeEach`).
 */
export function resetCache(): void {
  fills.clear();
  templates.clear();
  building.clear();
  templateBytes = 0;
  resetTags();
  resetEvents();
  resetConfig();
}

// Shared helpers of the runtime tests: a controllable clock, handlers that record or fail, and a
// real Flight round trip (server render, client decode) for cached components.
import { createElement, type ReactNode } from 'react';
// @ts-expect-error -- react-server-dom-webpack publishes no types.
import { createFromReadableStream } from 'react-server-dom-webpack/client';
// @ts-expect-error -- as above.
import { renderToReadableStream } from 'react-server-dom-webpack/server';
import {
  cacheFunction,
  cacheTag,
  configureCache,
  type CacheEntry,
  type CacheHandler,
  type TagDurations,
} from '../../src/runtime/index.js';
import { createMemoryHandler } from '../../src/runtime/handlers/memory.js';

let counter = 0;
/** A fresh function id per test, so tests never share entries. */
export function uid(label = 'fn'): string {
  return `${label}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`;
}

/** A cached function (fresh id) around `body`, counting in `state.runs` how often the body ran. */
export function counted<A extends unknown[], R>(body: (...args: A) => R | Promise<R>) {
  const state = { runs: 0 };
  const fn = cacheFunction(uid(), 'default', async (...args: A) => {
    state.runs++;
    return body(...args);
  });
  return Object.assign(fn, { state });
}

export interface FakeClock {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

/** Install a clock that only moves when told to. */
export function useFakeClock(start = 1_700_000_000_000): FakeClock {
  let t = start;
  const clock: FakeClock = {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    set(ms) {
      t = ms;
    },
  };
  configureCache({ clock: clock.now });
  return clock;
}

export interface Recorder {
  handler: CacheHandler;
  sets: Array<{ key: string; entry: CacheEntry }>;
  calls: Record<'get' | 'set' | 'getTagTimes' | 'updateTags', number>;
  updates: Array<{ tags: readonly string[]; timestamp: number; durations?: TagDurations }>;
}

/**
 * A memory handler behind a plain object (so the runtime takes its generic, asynchronous path)
 * that records every call.
 */
export function recordingHandler(inner: CacheHandler = createMemoryHandler()): Recorder {
  const rec: Recorder = {
    sets: [],
    updates: [],
    calls: { get: 0, set: 0, getTagTimes: 0, updateTags: 0 },
    handler: {
      async get(key) {
        rec.calls.get++;
        return inner.get(key);
      },
      async set(key, entry) {
        rec.calls.set++;
        rec.sets.push({ key, entry });
        return inner.set(key, entry);
      },
      async getTagTimes(tags) {
        rec.calls.getTagTimes++;
        return inner.getTagTimes(tags);
      },
      async updateTags(tags, timestamp, durations) {
        rec.calls.updateTags++;
        rec.updates.push({ tags: [...tags], timestamp, ...(durations === undefined ? {} : { durations }) });
        return inner.updateTags(tags, timestamp, durations);
      },
    },
  };
  return rec;
}

/** Collect the debug log lines while `configureCache({ debug: sink })` is in place. */
export function captureDebug(): string[] {
  const lines: string[] = [];
  configureCache({ debug: (line) => void lines.push(line) });
  return lines;
}

/** Wait for background work (refreshes, stores) to settle. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

const manifest = { moduleMap: null, serverModuleMap: null, moduleLoading: null };

/** Render `node` with Flight on the server and read it back with the client half. */
export async function renderFlight(node: ReactNode): Promise<unknown> {
  let failure: { error: unknown } | undefined;
  const stream = renderToReadableStream(
    node,
    {},
    {
      onError(error: unknown) {
        failure ??= { error };
      },
    },
  );
  const value = await createFromReadableStream(stream, { serverConsumerManifest: manifest });
  if (failure) throw failure.error;
  return value;
}

/** All text in a decoded element tree, in order. */
export function textOf(node: unknown): string {
  if (node === null || node === undefined || typeof node === 'boolean') return '';
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (typeof node === 'object' && 'props' in node) {
    return textOf((node as { props: { children?: unknown } }).props.children);
  }
  return '';
}

export { createElement };

/** A tagged cached function returning the current `source.version`; counts its runs. */
export function tagged(tag: string) {
  const source = { version: 1, runs: 0 };
  const read = cacheFunction(uid(), 'default', async () => {
    source.runs++;
    cacheTag(tag);
    return source.version;
  });
  return { source, read };
}

// Request scopes: 'use cache: private' entries live in the request scope that made them and die
// with it; outside any scope a private function runs uncached; draft mode skips every read and
// stores nothing.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  cacheFunction,
  cacheTag,
  configureCache,
  flush,
  resetCache,
  updateTag,
  withRequestScope,
} from '../../src/runtime/index.js';
import { captureDebug, recordingHandler, settle, uid } from './helpers.js';

beforeEach(() => resetCache());

/** A cached function of `kind` returning `${arg}:${run number}`. */
function counted(kind: string) {
  const state = { runs: 0 };
  const fn = cacheFunction(uid(kind), kind, async (arg: string) => {
    cacheTag('t');
    return `${arg}:${++state.runs}`;
  });
  return { state, fn };
}

describe("'use cache: private'", () => {
  it('is cached within one request scope and never shared with another', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler, private: recorder.handler } });
    const { state, fn } = counted('private');
    const first = await withRequestScope(async () => [await fn('a'), await fn('a'), await fn('b')]);
    expect(first).toEqual(['a:1', 'a:1', 'b:2']);
    const second = await withRequestScope(() => fn('a'));
    expect(second).toBe('a:3'); // a new request computes its own
    expect(state.runs).toBe(3);
    await flush();
    // Never in a shared handler, even one configured for the private kind.
    expect(recorder.calls.get + recorder.calls.set).toBe(0);
  });

  it('concurrent requests never share a fill', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const user = cacheFunction(uid('private'), 'private', async (id: string) => {
      const mine = ++runs;
      await gate;
      return `${id}:${mine}`;
    });
    const a = withRequestScope(() => user('same'));
    const b = withRequestScope(() => user('same'));
    release();
    expect((await Promise.all([a, b])).sort()).toEqual(['same:1', 'same:2']);
  });

  it('outside any request scope runs uncached, one debug line per call says so', async () => {
    const lines = captureDebug();
    const { state, fn } = counted('private');
    expect(await fn('a')).toBe('a:1');
    expect(await fn('a')).toBe('a:2');
    expect(state.runs).toBe(2);
    const said = lines.filter((l) => l.includes('outside withRequestScope'));
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/'use cache: private'.*runs uncached/);
  });

  it('updateTag reaches private entries of the running request', async () => {
    const { fn } = counted('private');
    const values = await withRequestScope(async () => {
      const before = await fn('a');
      await new Promise((r) => setTimeout(r, 2));
      await updateTag('t');
      return [before, await fn('a')];
    });
    expect(values).toEqual(['a:1', 'a:2']);
  });
});

describe('draftMode', () => {
  it('skips every cached read and stores nothing', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const { state, fn } = counted('default');
    expect(await fn('a')).toBe('a:1'); // stored, outside draft mode
    await flush();
    const reads = recorder.calls.get;
    const sets = recorder.calls.set;
    const drafted = await withRequestScope(async () => [await fn('a'), await fn('b')], { draftMode: true });
    expect(drafted).toEqual(['a:2', 'b:3']);
    await flush();
    expect(recorder.calls.get).toBe(reads);
    expect(recorder.calls.set).toBe(sets);
    // Outside draft mode the stored entry is as it was, and b was never stored.
    expect(await fn('a')).toBe('a:1');
    expect(await fn('b')).toBe('b:4');
    expect(state.runs).toBe(4);
  });

  it('a draft call never joins a public fill, nor a public call a draft one', async () => {
    let release!: () => void;
    let gate = new Promise<void>((resolve) => (release = resolve));
    let version = 'public';
    const fn = cacheFunction(uid(), 'default', async () => {
      const seen = version;
      await gate;
      return seen;
    });
    const publicCall = fn();
    await settle(); // the public body has started
    version = 'draft';
    const draftCall = withRequestScope(() => fn(), { draftMode: true });
    release();
    expect(await publicCall).toBe('public');
    expect(await draftCall).toBe('draft');
    gate = Promise.resolve();
    expect(await fn()).toBe('public');
  });

  it('applies to private functions too, and nested scopes inherit it', async () => {
    const { state, fn } = counted('private');
    const values = await withRequestScope(() => withRequestScope(async () => [await fn('a'), await fn('a')]), {
      draftMode: true,
    });
    expect(values).toEqual(['a:1', 'a:2']);
    expect(state.runs).toBe(2);
  });

  it('rejects bad options', () => {
    expect(() => withRequestScope(() => 1, { draftMode: 'yes' as never })).toThrow(/draftMode must be a boolean/);
    expect(() => withRequestScope(() => 1, { draft: true } as never)).toThrow(/unknown option "draft"/);
    expect(() => withRequestScope(undefined as never)).toThrow(TypeError);
    expect(withRequestScope(() => 7)).toBe(7);
  });
});

// OpenTelemetry spans, recorded with the SDK's in-memory exporter: a span per cached call, nested
// in the caller's span (and inner cached calls in the outer one), with outcome, key and bytes.
import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cacheFunction, configureCache, resetCache, type CacheHandler } from '../../src/runtime/index.js';
import { createMemoryHandler } from '../../src/runtime/handlers/memory.js';
import { activeTracer } from '../../src/runtime/tracing.js';
import { uid } from './helpers.js';

const exporter = new InMemorySpanExporter();
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  trace.disable();
  context.disable();
});
beforeEach(() => {
  resetCache();
  exporter.reset();
});
afterEach(() => resetCache());

describe('OpenTelemetry', () => {
  it('without a registered provider: no tracer, no spans', async () => {
    expect(activeTracer()).toBeUndefined();
    await cacheFunction(uid(), 'default', async () => 1)();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  describe('with a provider', () => {
    beforeAll(() => {
      trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    });
    afterAll(() => trace.disable());

    it('each call is a span in the caller’s span: name, kind, outcome, key digest, bytes', async () => {
      const id = uid();
      const product = cacheFunction(id, 'remote', async function product(n: number) {
        return { n };
      });
      const app = trace.getTracer('app');
      await app.startActiveSpan('request', async (request) => {
        await product(1);
        await product(1);
        request.end();
      });
      const spans = exporter.getFinishedSpans();
      const request = spans.find((s) => s.name === 'request')!;
      const calls = spans.filter((s) => s.name === 'use cache product');
      expect(calls).toHaveLength(2);
      for (const span of calls) {
        expect(span.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
        expect(span.attributes).toMatchObject({
          'use_cache.function': 'product',
          'use_cache.id': id,
          'use_cache.kind': 'remote',
        });
        expect(span.attributes['use_cache.key']).toMatch(/^[0-9a-f]{16}$/);
      }
      expect(calls.map((s) => s.attributes['use_cache.outcome'])).toEqual(['miss', 'hit']);
      expect(calls[0]!.attributes['use_cache.bytes']).toBeGreaterThan(0);
      expect(calls[1]!.attributes['use_cache.bytes']).toBeUndefined();
    });

    it('an inner cached call is a child of the outer one; a failing body marks its span as an error', async () => {
      const inner = cacheFunction(uid(), 'default', async function inner() {
        return 'in';
      });
      const outer = cacheFunction(uid(), 'default', async function outer() {
        return `${await inner()}+out`;
      });
      expect(await outer()).toBe('in+out');
      const spans = exporter.getFinishedSpans();
      const outerSpan = spans.find((s) => s.name === 'use cache outer')!;
      const innerSpan = spans.find((s) => s.name === 'use cache inner')!;
      expect(innerSpan.parentSpanContext?.spanId).toBe(outerSpan.spanContext().spanId);

      const failing = cacheFunction(uid(), 'default', async function failing() {
        throw new Error('no such product');
      });
      await expect(failing()).rejects.toThrow(/no such product/);
      const failed = exporter.getFinishedSpans().find((s) => s.name === 'use cache failing')!;
      expect(failed.status.code).toBe(SpanStatusCode.ERROR);
      expect(failed.events.map((e) => e.name)).toContain('exception');
    });

    it('a handler’s own spans (an instrumented client) nest in the call’s span; a private call outside a scope is a skip', async () => {
      const app = trace.getTracer('app');
      const memory = createMemoryHandler();
      // What an instrumented Redis client does: a span per command, in the active context.
      const instrumented: CacheHandler = {
        get: (key) => app.startActiveSpan('redis GET', (s) => memory.get(key).finally(() => s.end())),
        set: (key, entry) => memory.set(key, entry),
        getTagTimes: (tags) => memory.getTagTimes(tags),
        updateTags: (tags, at, durations) => memory.updateTags(tags, at, durations),
      };
      configureCache({ handlers: { default: instrumented } });
      const product = cacheFunction(uid(), 'default', async function remoteProduct() {
        return 'p';
      });
      await product();
      await product();
      const spans = exporter.getFinishedSpans();
      const calls = spans.filter((s) => s.name === 'use cache remoteProduct');
      const gets = spans.filter((s) => s.name === 'redis GET');
      expect(calls.map((s) => s.attributes['use_cache.outcome'])).toEqual(['miss', 'hit']);
      expect(gets.map((s) => s.parentSpanContext?.spanId)).toEqual(calls.map((s) => s.spanContext().spanId));

      const cart = cacheFunction(uid(), 'private', async function cart() {
        return 'c';
      });
      await cart();
      const skipped = exporter.getFinishedSpans().find((s) => s.name === 'use cache cart')!;
      expect(skipped.attributes['use_cache.outcome']).toBe('skip');
      expect(skipped.attributes['use_cache.key']).toBeUndefined();
    });
  });
});

// Observability figures (NODE_ENV=production, --conditions react-server): what a cache hit costs
// with one onCacheEvent listener, and with OpenTelemetry tracing on, against the same hit with
// neither (counting for cacheStats() is always on, so it is in both sides).
//
// Value and baseline run in alternating batches of the same process; the listener is subscribed
// (the tracer provider registered) when a value batch starts and removed when a baseline batch
// starts, so both sides share the JIT state and the machine's load. Tracing uses the SDK's
// BasicTracerProvider with a BatchSpanProcessor and an exporter that drops the spans (exporting
// is the backend's cost, not the cache's), and the async-hooks context manager an app would use.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { loadDist } from '../lib/dist.mjs';
import { compare } from '../lib/measure.mjs';
import { emit, figure, notAvailable, progress } from '../lib/report.mjs';

const quick = process.env.BENCH_QUICK === '1';
const opts = quick ? { warmupMs: 100, batchMs: 20, batches: 7 } : { warmupMs: 300, batchMs: 50, batches: 15 };

const ROWS = {
  listener: { name: 'hit, 3 primitive args, one onCacheEvent listener ÷ no listener', target: 1.2 },
  tracing: { name: 'hit, 3 primitive args, OpenTelemetry span per call ÷ no tracer provider', target: 1.2 },
  tracingOverhead: {
    name: 'hit, 3 primitive args, OpenTelemetry span per call ÷ untraced hit + one bare span of the same SDK',
    target: 1.2,
  },
  // The SDK's own price, which no instrumentation can avoid: what the first tracing row is made of.
  sdkSpan: { name: 'untraced hit + one bare span of the same SDK ÷ untraced hit (the SDK’s own span)', target: null },
  sampled: {
    name: 'hit, 3 primitive args, OpenTelemetry 1% sampled (ParentBased TraceIdRatioBased) ÷ no tracer provider',
    target: 1.2,
  },
};

async function main() {
  const runtime = await loadDist('runtime/index.js', ['cacheFunction', 'configureCache', 'onCacheEvent']);
  const memory = await loadDist('runtime/handlers/memory.js', ['createMemoryHandler']);
  const missing = runtime.missing ?? memory.missing;
  if (missing) {
    for (const row of Object.values(ROWS)) emit(notAvailable(row.name, 'µs', row.target, missing));
    return;
  }
  const { cacheFunction, configureCache, onCacheEvent } = runtime.module;
  configureCache({ handlers: { default: memory.module.createMemoryHandler({ maxBytes: 64 * 1024 * 1024 }) } });
  const cached = cacheFunction('bench-observed', 'default', async (id, locale, flag) => ({ id, locale, flag }));
  await cached(1, 'en-GB', true);

  const report = (row, r) => {
    emit(
      figure({ name: row.name, value: r.value * 1000, unit: 'µs', baseline: r.baseline * 1000, target: row.target }),
    );
    progress(`${row.name}: ${(r.value * 1000).toFixed(2)} µs vs ${(r.baseline * 1000).toFixed(2)} µs`);
  };

  // One listener that does what a metrics exporter would: look at the event and count it.
  let seen = 0;
  let unsubscribe;
  const listen = () => (unsubscribe ??= onCacheEvent((event) => (seen += event.type === 'hit' ? 1 : 0)));
  const quiet = () => {
    unsubscribe?.();
    unsubscribe = undefined;
  };
  report(
    ROWS.listener,
    await compare(
      () => (listen(), cached(1, 'en-GB', true)),
      () => (quiet(), cached(1, 'en-GB', true)),
      opts,
    ),
  );
  quiet();
  if (seen === 0) throw new Error('the listener heard no hit');

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const drop = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(drop)] });
  let tracing = false;
  const traceOn = () => {
    if (!tracing) tracing = trace.setGlobalTracerProvider(provider);
  };
  const traceOff = () => {
    if (tracing) trace.disable();
    tracing = false;
  };
  report(
    ROWS.tracing,
    await compare(
      () => (traceOn(), cached(1, 'en-GB', true)),
      () => (traceOff(), cached(1, 'en-GB', true)),
      opts,
    ),
  );
  // What the cache adds on top of the span the app's SDK costs anyway: the baseline makes one span
  // of the same provider (not registered globally, so the cache does not trace) around the hit.
  const bare = provider.getTracer('bench');
  const inBareSpan = () => {
    const span = bare.startSpan('use cache bench-observed', { attributes: { a: 'x', b: 'y', c: 'z' } });
    return cached(1, 'en-GB', true).then((value) => {
      span.end();
      return value;
    });
  };
  report(
    ROWS.tracingOverhead,
    await compare(
      () => (traceOn(), cached(1, 'en-GB', true)),
      () => (traceOff(), inBareSpan()),
      opts,
    ),
  );
  traceOff();
  report(ROWS.sdkSpan, await compare(inBareSpan, () => cached(1, 'en-GB', true), opts));
  // Sampling, as production apps trace: 1 call in 100 records a span, the rest get non-recording ones.
  const sampledProvider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.01) }),
    spanProcessors: [new BatchSpanProcessor(drop)],
  });
  let sampling = false;
  report(
    ROWS.sampled,
    await compare(
      () => {
        if (!sampling) sampling = trace.setGlobalTracerProvider(sampledProvider);
        return cached(1, 'en-GB', true);
      },
      () => {
        if (sampling) trace.disable();
        sampling = false;
        return cached(1, 'en-GB', true);
      },
      opts,
    ),
  );
  if (sampling) trace.disable();
  await Promise.all([provider.shutdown(), sampledProvider.shutdown()]);
}

await main().catch((error) => {
  for (const row of Object.values(ROWS)) emit(notAvailable(row.name, 'µs', row.target, `failed: ${error.message}`));
});

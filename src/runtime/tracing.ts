/**
 * OpenTelemetry: when `@opentelemetry/api` is installed and a tracer provider is registered, each
 * call of a cached function is a span (`use cache <name>`) nested in the caller's active span, with
 * the cache kind, the key digest, the outcome (`hit`, `stale`, `miss`, `join`), the bytes filled
 * and any error. Without a provider (or without the package) a call pays one check.
 *
 * The package is an optional peer: it is looked up once, with `require`, so that an app that does
 * not use OpenTelemetry never needs it. The API keeps its provider in a process-wide global, so
 * this copy sees the provider an app registers through its own import of the API.
 */
import { createRequire } from 'node:module';
import type * as Otel from '@opentelemetry/api';

const api: typeof Otel | undefined = (() => {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as typeof Otel;
  } catch {
    return undefined;
  }
})();

/** What the global provider delegates to while nothing is registered. */
const noopProvider = api === undefined ? undefined : new api.ProxyTracerProvider().getDelegate();
let provider: Otel.TracerProvider | undefined;
let tracer: Otel.Tracer | undefined;

/** Our spans, and whether each already has its outcome. */
const ourSpans = new WeakMap<Otel.Span, { outcome: boolean }>();

/** The tracer to use now, or `undefined` when no provider is registered (the one check). */
export function activeTracer(): Otel.Tracer | undefined {
  if (api === undefined) return undefined;
  const current = (api.trace.getTracerProvider() as Otel.ProxyTracerProvider).getDelegate();
  if (current === noopProvider) return undefined;
  if (current !== provider) {
    provider = current;
    tracer = current.getTracer('babel-plugin-use-cache');
  }
  return tracer;
}

interface Traced {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
}

/** Run `call` as a span of `tracer`, nested in the active span; inner cached calls nest in it. */
export function tracedCall<T>(tracer: Otel.Tracer, fn: Traced, call: () => Promise<T>): Promise<T> {
  const otel = api!;
  const parent = otel.context.active();
  const span = tracer.startSpan(
    `use cache ${fn.name}`,
    { attributes: { 'use_cache.function': fn.name, 'use_cache.id': fn.id, 'use_cache.kind': fn.kind } },
    parent,
  );
  ourSpans.set(span, { outcome: false });
  return otel.context.with(otel.trace.setSpan(parent, span), call).then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: otel.SpanStatusCode.ERROR });
      span.end();
      throw error;
    },
  );
}

/** Put an event of the current call on its span (when it runs in one of ours). */
export function recordOnSpan(
  type: string,
  key: string | undefined,
  detail: { bytes?: number; background?: boolean; error?: unknown } | undefined,
): void {
  if (provider === undefined || api === undefined || detail?.background) return;
  const span = api.trace.getActiveSpan();
  const state = span === undefined ? undefined : ourSpans.get(span);
  if (span === undefined || state === undefined) return;
  if (type === 'fill') {
    span.setAttribute('use_cache.bytes', detail?.bytes ?? 0);
  } else if (type === 'error') {
    if (detail?.error !== undefined) span.addEvent('use_cache.error', { message: String(detail.error) });
  } else if (!state.outcome) {
    state.outcome = true;
    span.setAttribute('use_cache.outcome', type);
    if (key !== undefined) span.setAttribute('use_cache.key', key.slice(0, 16));
  }
}

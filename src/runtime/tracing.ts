/**
 * OpenTelemetry: when `@opentelemetry/api` is installed and a tracer provider is registered, each
 * call of a cached function is a span (`use cache <name>`) nested in the caller's active span, with
 * the cache kind, the key digest, the outcome (`hit`, `stale`, `miss`, `join`, `skip`), the bytes
 * filled and any error. Without a provider (or without the package) a call pays one check.
 *
 * The package is an optional peer: it is looked up once, with `require`, so that an app that does
 * not use OpenTelemetry never needs it. The API keeps its provider in a process-wide global, so
 * this copy sees the provider an app registers through its own import of the API.
 */
import { createRequire } from 'node:module';
import type * as Otel from '@opentelemetry/api';
import type { CallRecorder } from './events.js';

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

/** Per cached function: its span's name and fixed attributes, built once. */
const spanStarts = new WeakMap<Traced, { name: string; options: Otel.SpanOptions }>();

/** Start the span of one call of `fn`, a child of the active span. */
export function startCallTrace(tracer: Otel.Tracer, fn: Traced): CallTrace {
  let start = spanStarts.get(fn);
  if (start === undefined) {
    const attributes = { 'use_cache.function': fn.name, 'use_cache.id': fn.id, 'use_cache.kind': fn.kind };
    start = { name: `use cache ${fn.name}`, options: { attributes } };
    spanStarts.set(fn, start);
  }
  const parent = api!.context.active();
  return new CallTrace(tracer.startSpan(start.name, start.options, parent), parent);
}

/**
 * The span of one cached call. The call's events are handed to it directly (no lookup of the
 * active span) and written on it once, when the call settles. Its context is entered only where
 * something can nest in it: the body (inner cached calls), and a handler's I/O (an instrumented
 * Redis client's spans), which the wrapper runs inside it unless the handler is read in process.
 */
export class CallTrace implements CallRecorder {
  private outcome: string | undefined;
  private key: string | undefined;
  private bytes: number | undefined;
  private context: Otel.Context | undefined;
  constructor(
    private readonly span: Otel.Span,
    private readonly parent: Otel.Context,
  ) {}

  /** An event of this call: the first of hit, stale, miss, join, skip is its outcome. */
  record(type: string, key: string | undefined, detail: { bytes?: number; error?: unknown } | undefined): void {
    if (type === 'fill') this.bytes = detail?.bytes ?? 0;
    else if (type === 'error') {
      if (detail?.error !== undefined) this.span.addEvent('use_cache.error', { message: String(detail.error) });
    } else if (this.outcome === undefined) {
      this.outcome = type;
      this.key = key;
    }
  }

  /** Run `fn` in this span's context: what it starts (spans, cached calls) nests in the span. */
  run<T>(fn: () => T): T {
    const otel = api!;
    return otel.context.with((this.context ??= otel.trace.setSpan(this.parent, this.span)), fn);
  }

  /** End the span when `call` settles, with the call's outcome, key digest, bytes, or error. */
  settle<T>(call: Promise<T>): Promise<T> {
    return call.then(
      (value) => {
        this.end();
        return value;
      },
      (error: unknown) => {
        this.span.recordException(error instanceof Error ? error : String(error));
        this.span.setStatus({ code: api!.SpanStatusCode.ERROR });
        this.end();
        throw error;
      },
    );
  }

  private end(): void {
    const span = this.span;
    if (this.outcome !== undefined) span.setAttribute('use_cache.outcome', this.outcome);
    if (this.key !== undefined) span.setAttribute('use_cache.key', this.key.slice(0, 16));
    if (this.bytes !== undefined) span.setAttribute('use_cache.bytes', this.bytes);
    span.end();
  }
}

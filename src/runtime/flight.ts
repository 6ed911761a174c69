/**
 * The one module through which the runtime reaches React's Flight functions (the server and
 * client halves of a React Server DOM build). By default they come from
 * `react-server-dom-webpack`; `configureCache({ flight })` installs another build's, e.g. the one
 * a bundler vendors (Vite's @vitejs/plugin-rsc), so keys, values and server references are made
 * by the same React that renders the app.
 *
 * The functions are called the way a bundler's RSC runtime exposes them (plugin-rsc's
 * `@vitejs/plugin-rsc/rsc`): with the bundler's manifests already bound, no manifest argument.
 * Only the bundler knows its client and server manifests, and a cached value that holds a client
 * component can only be stored and decoded with them. react-server-dom-webpack's own functions
 * take manifests; the default build binds the empty ones this runtime uses with it.
 *
 * react-server-dom-webpack is loaded on first use, not when the runtime is imported: an app that
 * installs its bundler's build before its first cached call never loads it, so the runtime also
 * runs where that package cannot load (a bundle whose server entry runs without Node's
 * `react-server` condition, as Vite's does).
 *
 * Callers read `flight.<name>` at call time (the binding is live), so an installation applies
 * to every later call.
 */
import { createRequire } from 'node:module';

/** The server-side temporary-reference set (`createTemporaryReferenceSet` of the server half). */
export type ServerTemporaryReferences = WeakMap<object, string>;
/** The client-side temporary-reference set (`createTemporaryReferenceSet` of the client half). */
export type ClientTemporaryReferences = Map<string, unknown>;
export type ReplyBody = string | FormData;
export interface FlightFunctions {
  /** Server half: renders a value to a Flight stream (client references through the bundler's manifest). */
  renderToReadableStream(
    model: unknown,
    options?: { temporaryReferences?: ServerTemporaryReferences; onError?: (error: unknown) => string | void },
  ): ReadableStream<Uint8Array>;
  /** Server half: decodes what `encodeReply` produced (server references through the bundler's manifest). */
  decodeReply(
    body: ReplyBody,
    /** `arraySizeLimit`: react-server-dom-webpack 19.3's budget of array slots (Infinity lifts it). */
    options?: { temporaryReferences?: ServerTemporaryReferences; arraySizeLimit?: number },
  ): PromiseLike<unknown>;
  /** Server half. */
  createTemporaryReferenceSet(): ServerTemporaryReferences;
  /** Server half: marks `fn` as the server reference `id`. */
  registerServerReference<T extends Function>(fn: T, id: string, exportName: string | null): T;
  /** Client half: encodes arguments (a cache key, bound values). */
  encodeReply(value: unknown, options?: { temporaryReferences?: ClientTemporaryReferences }): Promise<ReplyBody>;
  /**
   * Client half: decodes a Flight stream (a stored value) on the server, client references back
   * into client references (the bundler's server-consumer manifest).
   */
  createFromReadableStream(
    stream: ReadableStream<Uint8Array>,
    options?: { temporaryReferences?: ClientTemporaryReferences },
  ): PromiseLike<unknown>;
  /** Client half's `createTemporaryReferenceSet`. */
  createClientTemporaryReferenceSet(): ClientTemporaryReferences;
}

/**
 * What `configureCache({ flight })` takes: the two halves of a React Server DOM build, called
 * without manifests (the bundler binds its own), as `@vitejs/plugin-rsc/rsc` exports them.
 */
export interface FlightBuild {
  /** The server half (e.g. `@vitejs/plugin-rsc/rsc`). */
  server: Pick<
    FlightFunctions,
    'renderToReadableStream' | 'decodeReply' | 'createTemporaryReferenceSet' | 'registerServerReference'
  >;
  /** The client half, its own `createTemporaryReferenceSet` (plugin-rsc: `createClientTemporaryReferenceSet`). */
  client: Pick<FlightFunctions, 'encodeReply' | 'createFromReadableStream'> & {
    createTemporaryReferenceSet(): ClientTemporaryReferences;
  };
  /** Part of every cache key (entries made by one build are never decoded by another). Default: React's version. */
  version?: string;
}

function functionsOf(build: FlightBuild): FlightFunctions {
  const { server, client } = build;
  return {
    renderToReadableStream: server.renderToReadableStream,
    decodeReply: server.decodeReply,
    createTemporaryReferenceSet: server.createTemporaryReferenceSet,
    registerServerReference: server.registerServerReference,
    encodeReply: client.encodeReply,
    createFromReadableStream: client.createFromReadableStream,
    createClientTemporaryReferenceSet: client.createTemporaryReferenceSet,
  };
}

const SERVER_NAMES = [
  'renderToReadableStream',
  'decodeReply',
  'createTemporaryReferenceSet',
  'registerServerReference',
];
const CLIENT_NAMES = ['encodeReply', 'createFromReadableStream', 'createTemporaryReferenceSet'];

/** Throws a TypeError naming what is missing when `build` is not a usable Flight build. */
export function checkFlightBuild(build: unknown): asserts build is FlightBuild {
  const given = build as Partial<Record<'server' | 'client', Record<string, unknown>>> | null;
  const missing: string[] = [];
  for (const [half, names] of [
    ['server', SERVER_NAMES],
    ['client', CLIENT_NAMES],
  ] as const) {
    for (const name of names) {
      if (typeof given?.[half]?.[name] !== 'function') missing.push(`${half}.${name}`);
    }
  }
  if (missing.length > 0) {
    throw new TypeError(
      `configureCache: flight must be { server, client } of a React Server DOM build; missing ${missing.join(', ')}.`,
    );
  }
}

/** react-server-dom-webpack's manifests for values without client references (see value.ts). */
const NO_CLIENT_MANIFEST = {};
const NO_SERVER_MANIFEST = {};
const NO_CONSUMER_MANIFEST = { moduleMap: null, serverModuleMap: null, moduleLoading: null };

type Fn = (...args: unknown[]) => unknown;

/** react-server-dom-webpack's halves with the manifests bound, loaded once, on first use. */
let defaultFunctions: FlightFunctions | undefined;
function reactServerDomWebpack(): FlightFunctions {
  if (defaultFunctions !== undefined) return defaultFunctions;
  const require = createRequire(import.meta.url);
  // Resolves to the Node builds under `--conditions react-server`; otherwise the package throws
  // its own error saying to set that condition.
  const server = require('react-server-dom-webpack/server') as Record<string, Fn>;
  const client = require('react-server-dom-webpack/client') as Record<string, Fn>;
  defaultFunctions = functionsOf({
    server: {
      renderToReadableStream: (model, options) => server.renderToReadableStream!(model, NO_CLIENT_MANIFEST, options),
      decodeReply: (body, options) => server.decodeReply!(body, NO_SERVER_MANIFEST, options),
      createTemporaryReferenceSet: server.createTemporaryReferenceSet,
      registerServerReference: server.registerServerReference,
    } as FlightBuild['server'],
    client: {
      encodeReply: client.encodeReply,
      createFromReadableStream: (stream, options) =>
        client.createFromReadableStream!(stream, { serverConsumerManifest: NO_CONSUMER_MANIFEST, ...options }),
      createTemporaryReferenceSet: client.createTemporaryReferenceSet,
    } as FlightBuild['client'],
  });
  return defaultFunctions;
}

const NAMES = [
  'renderToReadableStream',
  'decodeReply',
  'createTemporaryReferenceSet',
  'registerServerReference',
  'encodeReply',
  'createFromReadableStream',
  'createClientTemporaryReferenceSet',
] as const satisfies readonly (keyof FlightFunctions)[];

/** Stands for react-server-dom-webpack until a call needs it; then loads it and takes its place. */
const lazyDefault = Object.fromEntries(
  NAMES.map((name) => [
    name,
    (...args: unknown[]) => {
      const functions = reactServerDomWebpack();
      if (flight === lazyDefault) flight = functions;
      return (functions[name] as Fn)(...args);
    },
  ]),
) as unknown as FlightFunctions;

/** The Flight functions in use (a live binding: read its members at call time). */
export let flight: FlightFunctions = lazyDefault;
/** The version of the build in use, `undefined` for react-server-dom-webpack (config.ts reads its package). */
export let flightBuildVersion: string | undefined;

/** Installs `build` (`undefined`: back to react-server-dom-webpack). */
export function setFlight(build: FlightBuild | undefined): void {
  flight = build === undefined ? (defaultFunctions ?? lazyDefault) : functionsOf(build);
  flightBuildVersion = build?.version;
}

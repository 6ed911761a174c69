/**
 * The one module through which the runtime reaches React's Flight functions (the server and
 * client halves of a React Server DOM build). By default they come from
 * `react-server-dom-webpack`; `configureCache({ flight })` installs another build's, e.g. the one
 * a bundler vendors (Vite's @vitejs/plugin-rsc), so keys, values and server references are made
 * by the same React that renders the app.
 *
 * Callers read `flight.<name>` at call time (the binding is live), so an installation applies
 * to every later call.
 */
import * as defaultClient from 'react-server-dom-webpack/client';
import * as defaultServer from 'react-server-dom-webpack/server';

/** The server-side temporary-reference set (`createTemporaryReferenceSet` of the server half). */
export type ServerTemporaryReferences = WeakMap<object, string>;
/** The client-side temporary-reference set (`createTemporaryReferenceSet` of the client half). */
export type ClientTemporaryReferences = Map<string, unknown>;
export type ReplyBody = string | FormData;
/** The shape react-server-dom-webpack expects of a server manifest (`decodeReply`, `decodeAction`). */
export type FlightServerManifest = Record<string, { id: string; chunks: string[]; name: string; async?: boolean }>;

export interface FlightFunctions {
  /** Server half: renders a value to a Flight stream. */
  renderToReadableStream(
    model: unknown,
    clientManifest: unknown,
    options?: { temporaryReferences?: ServerTemporaryReferences; onError?: (error: unknown) => string | void },
  ): ReadableStream<Uint8Array>;
  /** Server half: decodes what `encodeReply` produced. */
  decodeReply(
    body: ReplyBody,
    serverManifest: unknown,
    /** `arraySizeLimit`: react-server-dom-webpack 19.3's budget of array slots (Infinity lifts it). */
    options?: { temporaryReferences?: ServerTemporaryReferences; arraySizeLimit?: number },
  ): PromiseLike<unknown>;
  /** Server half. */
  createTemporaryReferenceSet(): ServerTemporaryReferences;
  /** Server half: marks `fn` as the server reference `id`. */
  registerServerReference<T extends Function>(fn: T, id: string, exportName: string | null): T;
  /** Client half: encodes arguments (a cache key, bound values). */
  encodeReply(value: unknown, options?: { temporaryReferences?: ClientTemporaryReferences }): Promise<ReplyBody>;
  /** Client half: decodes a Flight stream (a stored value). */
  createFromReadableStream(
    stream: ReadableStream<Uint8Array>,
    options: { serverConsumerManifest: unknown; temporaryReferences?: ClientTemporaryReferences },
  ): PromiseLike<unknown>;
  /** Client half's `createTemporaryReferenceSet`. */
  createClientTemporaryReferenceSet(): ClientTemporaryReferences;
}

/** What `configureCache({ flight })` takes: the two halves of a React Server DOM build. */
export interface FlightBuild {
  /** The server half (`react-server-dom-webpack/server` or a bundler's equivalent). */
  server: Pick<
    FlightFunctions,
    'renderToReadableStream' | 'decodeReply' | 'createTemporaryReferenceSet' | 'registerServerReference'
  >;
  /** The client half (`react-server-dom-webpack/client` or a bundler's equivalent). */
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

const defaultBuild: FlightBuild = {
  server: defaultServer as unknown as FlightBuild['server'],
  client: defaultClient as unknown as FlightBuild['client'],
};

/** The Flight functions in use (a live binding: read its members at call time). */
export let flight: FlightFunctions = functionsOf(defaultBuild);
/** The version of the build in use, `undefined` for react-server-dom-webpack (config.ts reads its package). */
export let flightBuildVersion: string | undefined;

/** Installs `build` (`undefined`: back to react-server-dom-webpack). */
export function setFlight(build: FlightBuild | undefined): void {
  flight = functionsOf(build ?? defaultBuild);
  flightBuildVersion = build?.version;
}

// Typed access to the parts of react-server-dom-webpack the server-actions runtime uses.
// The package ships no type declarations; the imports below are typed here, once.

// @ts-expect-error -- react-server-dom-webpack has no type declarations
import * as flightServer from 'react-server-dom-webpack/server';
// @ts-expect-error -- react-server-dom-webpack has no type declarations
import * as flightClient from 'react-server-dom-webpack/client';

/** The shape react-server-dom-webpack expects of a server manifest (`decodeReply`, `decodeAction`). */
export type FlightServerManifest = Record<string, { id: string; chunks: string[]; name: string; async?: boolean }>;

interface FlightServerApi {
  registerServerReference<T extends Function>(fn: T, id: string, exportName: string | null): T;
  decodeReply(
    body: string | FormData,
    manifest: FlightServerManifest,
    options?: { temporaryReferences?: WeakMap<object, string>; arraySizeLimit?: number },
  ): PromiseLike<unknown>;
}
interface FlightClientApi {
  encodeReply(value: unknown): Promise<string | FormData>;
}

const server = flightServer as unknown as FlightServerApi;
const client = flightClient as unknown as FlightClientApi;

export const registerServerReference = server.registerServerReference;
export const decodeReply = server.decodeReply;
export const encodeReply = client.encodeReply;

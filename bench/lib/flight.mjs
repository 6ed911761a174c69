// The baselines of the runtime figures, written the straightforward way with
// react-server-dom-webpack (production build: the group is started with NODE_ENV=production and
// `--conditions react-server`).
//
// - `bareEncode(args)`: what computing a key must at least cost — one `encodeReply` of the
//   arguments (with a temporary-reference set, so JSX and functions are accepted).
// - `naiveCache()`: a cache anyone would write first: key = sha256(encodeReply(args)); a miss
//   decodes the arguments, runs the function, renders the result to Flight bytes and decodes them
//   for the caller; a hit decodes the stored bytes with `createFromReadableStream`.
import { createHash } from 'node:crypto';
import {
  createFromReadableStream,
  createTemporaryReferenceSet as createClientTemporaryReferenceSet,
  encodeReply,
} from 'react-server-dom-webpack/client';
import {
  createTemporaryReferenceSet as createServerTemporaryReferenceSet,
  decodeReply,
  renderToReadableStream,
} from 'react-server-dom-webpack/server';

if (process.env.NODE_ENV !== 'production') {
  throw new Error('runtime benchmarks must run with NODE_ENV=production (React picks its build at load time)');
}

const serverConsumerManifest = { moduleMap: null, serverModuleMap: null, moduleLoading: null };

export async function bareEncode(args) {
  return encodeReply(args, { temporaryReferences: createClientTemporaryReferenceSet() });
}

async function canonical(body) {
  if (typeof body === 'string') return body;
  const entries = [];
  for (const [name, value] of body.entries())
    entries.push([name, typeof value === 'string' ? value : await value.text()]);
  entries.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  return JSON.stringify(entries);
}

async function readAll(stream) {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function streamOf(bytes) {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

function onError(error) {
  // Never throw inside onError (it crashes the process); the stream errors instead.
  console.error('render error in baseline:', error);
}

/** A straightforward Flight cache around `fn`: `{ call(...args), size }`. */
export function naiveCache(fn) {
  const store = new Map();
  async function call(...args) {
    const clientRefs = createClientTemporaryReferenceSet();
    const body = await encodeReply(args, { temporaryReferences: clientRefs });
    const key = createHash('sha256')
      .update(await canonical(body))
      .digest('hex');
    let bytes = store.get(key);
    if (bytes === undefined) {
      const serverRefs = createServerTemporaryReferenceSet();
      const decodedArgs = await decodeReply(body, {}, { temporaryReferences: serverRefs });
      const result = await fn(...decodedArgs);
      bytes = await readAll(renderToReadableStream(result, {}, { temporaryReferences: serverRefs, onError }));
      store.set(key, bytes);
    }
    return createFromReadableStream(streamOf(bytes), { serverConsumerManifest, temporaryReferences: clientRefs });
  }
  return {
    call,
    clear: () => store.clear(),
    get size() {
      return store.size;
    },
  };
}

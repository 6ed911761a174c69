// The runtime serialises with plugin-rsc's React Server DOM build (the one that renders the app),
// through plugin-rsc's own functions, which carry its client and server manifests: cached
// components may then hold client components. entry.rsc.jsx imports this module first, before
// any module with 'use cache' is evaluated.
import * as rsc from '@vitejs/plugin-rsc/rsc';
import { configureCache } from 'babel-plugin-use-cache/runtime';

configureCache({
  flight: {
    server: rsc,
    client: {
      encodeReply: rsc.encodeReply,
      createFromReadableStream: rsc.createFromReadableStream,
      createTemporaryReferenceSet: rsc.createClientTemporaryReferenceSet,
    },
  },
});

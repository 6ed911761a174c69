// react-server-dom-webpack publishes no type declarations. The runtime reaches it only through
// src/runtime/flight.ts (and the browser entry through src/client/index.ts), which type what they
// use; these ambient declarations let those two import the package without a type error.
declare module 'react-server-dom-webpack/server' {
  const server: Record<string, unknown>;
  export = server;
}
declare module 'react-server-dom-webpack/client' {
  const client: Record<string, unknown>;
  export = client;
}

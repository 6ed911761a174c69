// Plain Node has no webpack runtime, but react-server-dom-webpack's module loading calls the free
// variable `__webpack_require__` (the server's decodeAction/decodeReply for server references in
// a reply; the browser client build reads `__webpack_require__.u` when it loads). Import this
// module before react-server-dom-webpack/client.browser.
export const webpackModules = new Map<string, Record<string, unknown>>();

function webpackRequire(id: string): Record<string, unknown> {
  const exports = webpackModules.get(id);
  if (exports === undefined) throw new Error(`module ${id} is not in the test's module map`);
  return exports;
}
webpackRequire.u = (chunkId: string) => chunkId;

(globalThis as Record<string, unknown>).__webpack_require__ ??= webpackRequire;

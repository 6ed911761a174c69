// Webpack replaces this free variable in the server bundle with its module loader
// (src/server/rsc.jsx loads Server Action modules through it, by their webpack module ids).
declare const __webpack_require__: (id: string | number) => Record<string, any>;

// Public entry of the runtime: what applications call and what compiled code imports.
export * from './actions.js';

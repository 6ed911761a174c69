// The project's own Babel config: what fixtures, examples and the CLI use by default.
// TypeScript and JSX are stripped by the presets; the plugin only touches directives.
export default {
  presets: [['@babel/preset-typescript', { allExtensions: true, isTSX: true, onlyRemoveTypeImports: true }]],
};

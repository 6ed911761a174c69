// The two webpack builds of the example app.
//
//   client: target web, the plugin with `layer: 'client'` ('use server' modules become
//           createServerReference stubs), client references (our ClientReferencesPlugin, see there).
//   server: target node, resolved with the `react-server` condition, the plugin with
//           `layer: 'server'`, 'use client' modules replaced by client references.
//   ssr:    target node without the `react-server` condition: react-dom/server and every
//           'use client' module, to render a page's Flight payload to HTML.
//
// Module ids are named (paths) in the browser and SSR builds, so a client reference in a Flight
// payload names the same module in both.
//
// Both builds give Babel the same `cwd`/`root` (this folder), so a reference gets the same id in
// both (ids hash the path relative to Babel's root).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientReferencesPlugin, findClientModules } from './client-references-plugin.mjs';
import { METADATA_SUBSCRIBER, ServerReferenceRegistry, ServerReferencesPlugin } from './server-references-plugin.mjs';

export const appDir = fileURLToPath(new URL('..', import.meta.url));
export const srcDir = path.join(appDir, 'src');
export const distDir = path.join(appDir, 'dist');
/** Where the browser bundle is served from (output.publicPath; server/http.mjs serves it). */
export const ASSET_PREFIX = '/assets/';

/**
 * The plugin from the package's built dist/, found by self-reference like any user would (its
 * ESM build: Babel loads ESM plugins when, as in babel-loader, it runs asynchronously).
 */
function resolvePlugin() {
  const file = fileURLToPath(import.meta.resolve('babel-plugin-use-cache'));
  if (!existsSync(file)) {
    throw new Error(
      `babel-plugin-use-cache is not built (${file} is missing): run \`npm run build\` at the repository root first.`,
    );
  }
  return file;
}

function babelRule(layer) {
  return {
    loader: 'babel-loader',
    options: {
      babelrc: false,
      configFile: false,
      cwd: appDir,
      root: appDir,
      cacheDirectory: false,
      presets: [['@babel/preset-react', { runtime: 'automatic' }]],
      plugins: [[resolvePlugin(), { layer }]],
      // babel-loader calls loaderContext[METADATA_SUBSCRIBER](result.metadata) for every file.
      metadataSubscribers: [METADATA_SUBSCRIBER],
    },
  };
}

/** @type {import('webpack').Configuration} */
const common = {
  context: appDir,
  mode: 'production',
  devtool: false,
  cache: false,
  stats: 'errors-warnings',
  resolve: { extensions: ['.js', '.jsx'] },
  performance: { hints: false },
};

/** @returns {import('webpack').Configuration} */
export function clientConfig({ registry }) {
  return {
    ...common,
    name: 'client',
    target: 'web',
    entry: { main: './src/client/entry.jsx' },
    output: {
      path: path.join(distDir, 'client'),
      publicPath: ASSET_PREFIX,
      filename: '[name].js',
      chunkFilename: '[name].[contenthash:8].js',
      clean: true,
    },
    module: {
      rules: [{ test: /\.jsx?$/, include: srcDir, use: [babelRule('client')] }],
    },
    // Unminified keeps the build fast (tests build it); flip for a real deployment.
    optimization: { minimize: false, moduleIds: 'named' },
    plugins: [
      new ClientReferencesPlugin({ directory: srcDir }),
      new ServerReferencesPlugin({ layer: 'client', registry, root: appDir }),
    ],
  };
}

/** @returns {import('webpack').Configuration} */
export function serverConfig({ registry }) {
  return {
    ...common,
    name: 'server',
    dependencies: ['client'],
    target: 'node20',
    // Runs after the client build, whose Server Action modules ServerReferencesPlugin includes here.
    entry: { rsc: './src/server/rsc.jsx' },
    output: {
      path: path.join(distDir, 'server'),
      filename: '[name].cjs',
      chunkFilename: '[name].[contenthash:8].cjs',
      library: { type: 'commonjs2' },
      clean: true,
    },
    resolve: {
      ...common.resolve,
      conditionNames: ['react-server', 'node', 'import', 'require', 'default'],
    },
    module: {
      rules: [
        {
          test: /\.jsx?$/,
          include: srcDir,
          // Loaders run last to first: client references first, then Babel with the plugin.
          use: [babelRule('server'), { loader: path.join(appDir, 'webpack/client-reference-loader.cjs') }],
        },
      ],
    },
    optimization: {
      minimize: false,
      // Server references are reached through the manifest, not through imports webpack can
      // see: keep every export, under its own name, in its own module.
      usedExports: false,
      mangleExports: false,
      concatenateModules: false,
      moduleIds: 'named',
    },
    plugins: [new ServerReferencesPlugin({ layer: 'server', registry, root: appDir, entry: 'rsc' })],
  };
}

/**
 * The SSR entry: src/server/ssr.jsx plus an import of every 'use client' module, which nothing
 * else imports (the Flight client loads them by id). Written as a file because webpack inlines
 * extra entry modules, and an inlined module cannot be required by its id.
 */
function writeSsrEntry() {
  const file = path.join(distDir, 'generated', 'ssr-entry.js');
  const lines = findClientModules(srcDir).map((module) => `import ${JSON.stringify(module)};`);
  lines.push(`export * from ${JSON.stringify(path.join(srcDir, 'server', 'ssr.jsx'))};`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** @returns {import('webpack').Configuration} */
export function ssrConfig() {
  return {
    ...common,
    name: 'ssr',
    target: 'node20',
    entry: { ssr: writeSsrEntry() },
    output: {
      path: path.join(distDir, 'ssr'),
      filename: '[name].cjs',
      library: { type: 'commonjs2' },
      clean: true,
    },
    module: {
      // The client layer, as in the browser: client components import Server Action stubs.
      rules: [{ test: /\.jsx?$/, include: srcDir, use: [babelRule('client')] }],
    },
    optimization: { minimize: false, moduleIds: 'named', usedExports: false, concatenateModules: false },
  };
}

export function createConfigs() {
  const registry = new ServerReferenceRegistry();
  return [clientConfig({ registry }), serverConfig({ registry }), ssrConfig()];
}

// Browser build: client references and react-client-manifest.json.
//
// This does what react-server-dom-webpack/plugin (19.3.1) does, on webpack's public API: that
// plugin requires `webpack/lib/dependencies/ModuleDependency` and `webpack/lib/Template`, which
// webpack 5.112 no longer has at those paths, so it cannot load here.
//
// - Every module under `directory` that starts with 'use client' gets its own async chunk, hung
//   off react-server-dom-webpack/client (so it is built even though nothing imports it).
// - The manifest maps each such module's file URL to { id, chunks, name: '*' }: the server
//   serialises a client reference as that entry and the browser's Flight client loads the chunks
//   with __webpack_chunk_load__ and the module with __webpack_require__.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from '@babel/parser';
import webpack from 'webpack';

const NAME = 'ClientReferencesPlugin';
const require = createRequire(import.meta.url);
const flightClient = require.resolve('react-server-dom-webpack/client.browser');

class ClientReferenceDependency extends webpack.dependencies.ModuleDependency {
  /** @override */
  get type() {
    return 'client-reference';
  }
}

export function hasUseClientDirective(source) {
  if (!source.includes('use client')) return false;
  try {
    const program = parse(source, { sourceType: 'module', plugins: ['jsx', 'typescript'] }).program;
    return program.directives.some((d) => d.value.value === 'use client');
  } catch {
    return false;
  }
}

/** 'use client' modules below `directory`, sorted (so chunk names are stable). */
export function findClientModules(directory, include = /\.[cm]?[jt]sx?$/) {
  const found = [];
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !include.test(entry.name)) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    if (hasUseClientDirective(readFileSync(file, 'utf8'))) found.push(file);
  }
  return found.sort();
}

export class ClientReferencesPlugin {
  /** @param {{ directory: string, filename?: string }} options */
  constructor({ directory, filename = 'react-client-manifest.json' }) {
    this.directory = directory;
    this.filename = filename;
  }

  apply(compiler) {
    let clientModules = [];
    let flightClientSeen = false;

    compiler.hooks.beforeCompile.tap(NAME, () => {
      clientModules = findClientModules(this.directory);
      flightClientSeen = false;
    });

    compiler.hooks.thisCompilation.tap(NAME, (compilation, { normalModuleFactory }) => {
      compilation.dependencyFactories.set(ClientReferenceDependency, normalModuleFactory);
      compilation.dependencyTemplates.set(
        ClientReferenceDependency,
        new webpack.dependencies.NullDependency.Template(),
      );

      const onParser = (parser) => {
        parser.hooks.program.tap(NAME, () => {
          const module = parser.state.module;
          if (module.resource !== flightClient) return;
          flightClientSeen = true;
          clientModules.forEach((file, i) => {
            const block = new webpack.AsyncDependenciesBlock({ name: `client${i}` }, null, file);
            block.addDependency(new ClientReferenceDependency(file));
            module.addBlock(block);
          });
        });
      };
      for (const type of ['javascript/auto', 'javascript/esm', 'javascript/dynamic']) {
        normalModuleFactory.hooks.parser.for(type).tap(NAME, onParser);
      }

      compilation.hooks.processAssets.tap(
        { name: NAME, stage: webpack.Compilation.PROCESS_ASSETS_STAGE_REPORT },
        () => {
          if (!flightClientSeen) {
            compilation.errors.push(
              new webpack.WebpackError(
                `${NAME}: react-server-dom-webpack/client is not in the bundle; ${this.filename} not written.`,
              ),
            );
            return;
          }
          compilation.emitAsset(
            this.filename,
            new webpack.sources.RawSource(JSON.stringify(this.manifest(compilation, clientModules), null, 2)),
          );
        },
      );
    });
  }

  manifest(compilation, clientModules) {
    const wanted = new Set(clientModules);
    const manifest = {};
    for (const group of compilation.chunkGroups) {
      // [chunkId, file, chunkId, file, ...]: the JS file of every chunk the group needs.
      const chunks = [];
      for (const chunk of group.chunks) {
        const file = [...chunk.files].find((f) => /\.m?js$/.test(f) && !f.includes('.hot-update.'));
        if (file) chunks.push(chunk.id, file);
      }
      for (const chunk of group.chunks) {
        for (const module of compilation.chunkGraph.getChunkModulesIterable(chunk)) {
          const id = compilation.chunkGraph.getModuleId(module);
          for (const inner of [module, ...(module.modules ?? [])]) {
            if (wanted.has(inner.resource)) {
              manifest[pathToFileURL(inner.resource).href] = { id, chunks, name: '*' };
            }
          }
        }
      }
    }
    return manifest;
  }
}

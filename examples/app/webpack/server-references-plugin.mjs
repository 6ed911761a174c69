// Builds the Server Action manifest from what the Babel plugin reports.
//
// babel-loader hands each file's `result.metadata` to the loader-context function named in its
// `metadataSubscribers` option; this plugin installs that function, keeps the file's
// `metadata.serverReferences` on the webpack module, and after module ids are assigned emits
//   server-references.json: { [referenceId]: { id: <webpack module id>, chunks: [], name: <export>, kind } }
// which is both our lookup table for the action endpoint and the server manifest
// react-server-dom-webpack's decodeReply expects.
import path from 'node:path';
import webpack from 'webpack';

const NAME = 'UseCacheServerReferences';
/** The name to put in babel-loader's `metadataSubscribers`. */
export const METADATA_SUBSCRIBER = 'useCacheServerReferences';

/** Shared between the two builds: the browser build says which server modules it calls. */
export class ServerReferenceRegistry {
  /** @type {Map<string, {file: string, exportName: string}>} reference id -> where the browser build met it */
  clientReferences = new Map();

  /** Absolute paths of the modules the browser build saw server references in. */
  clientFiles() {
    return [...new Set([...this.clientReferences.values()].map((r) => r.file))].sort();
  }
}

export class ServerReferencesPlugin {
  /**
   * @param {object} options
   * @param {'server' | 'client'} options.layer
   * @param {ServerReferenceRegistry} options.registry
   * @param {string} options.root paths in the manifest are relative to this folder
   * @param {string} [options.entry] server layer: the entry that must contain the modules the
   *   browser build calls (they are imported only by client components, which the server build
   *   replaces with client references, so nothing else would pull them in)
   * @param {string} [options.filename]
   */
  constructor({ layer, registry, root, entry, filename = 'server-references.json' }) {
    this.layer = layer;
    this.registry = registry;
    this.root = root;
    this.entry = entry;
    this.filename = filename;
  }

  apply(compiler) {
    if (this.layer === 'server' && this.entry) {
      // Included, not added as entry modules: an entry module may be inlined into the startup
      // code, and then no module id would reach it.
      compiler.hooks.make.tapPromise(NAME, (compilation) =>
        Promise.all(
          this.registry.clientFiles().map(
            (file) =>
              new Promise((resolve, reject) => {
                const dependency = webpack.EntryPlugin.createDependency(file, { name: this.entry });
                compilation.addInclude(compiler.context, dependency, { name: this.entry }, (error) =>
                  error ? reject(error) : resolve(undefined),
                );
              }),
          ),
        ),
      );
    }
    compiler.hooks.thisCompilation.tap(NAME, (compilation) => {
      webpack.NormalModule.getCompilationHooks(compilation).loader.tap(NAME, (loaderContext, module) => {
        loaderContext[METADATA_SUBSCRIBER] = (metadata) => {
          (module.buildInfo ??= {}).useCacheServerReferences = metadata?.serverReferences ?? [];
        };
      });

      compilation.hooks.processAssets.tap(
        { name: NAME, stage: webpack.Compilation.PROCESS_ASSETS_STAGE_SUMMARIZE },
        () => (this.layer === 'client' ? this.recordClient(compilation) : this.emitManifest(compilation)),
      );
    });
  }

  *referencedModules(compilation) {
    for (const module of compilation.modules) {
      const refs = module.buildInfo?.useCacheServerReferences;
      if (refs?.length) yield { module, refs };
    }
  }

  recordClient(compilation) {
    this.registry.clientReferences.clear();
    for (const { module, refs } of this.referencedModules(compilation)) {
      for (const ref of refs) {
        this.registry.clientReferences.set(ref.id, { file: module.resource, exportName: ref.exportName });
      }
    }
  }

  emitManifest(compilation) {
    const manifest = {};
    for (const { module, refs } of this.referencedModules(compilation)) {
      const moduleId = compilation.chunkGraph.getModuleId(module);
      for (const ref of refs) {
        manifest[ref.id] = {
          id: moduleId,
          chunks: [],
          name: ref.exportName,
          kind: ref.kind,
          file: path.relative(this.root, module.resource).split(path.sep).join('/'),
        };
      }
    }
    for (const [id, { file, exportName }] of this.registry.clientReferences) {
      if (!manifest[id]) {
        compilation.errors.push(
          new webpack.WebpackError(
            `${NAME}: the browser build calls server reference ${exportName} (${id.slice(0, 12)}…) of ${file}, ` +
              'but the server build did not compile it. Is the module reachable from the server entry?',
          ),
        );
      }
    }
    const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
    compilation.emitAsset(this.filename, new webpack.sources.RawSource(JSON.stringify(sorted, null, 2) + '\n'));
  }
}

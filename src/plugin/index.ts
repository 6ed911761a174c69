// babel-plugin-use-cache: compiles 'use cache' and 'use server' directives into calls to a
// pluggable runtime (docs/runtime-contract.md). Everything happens in `Program` enter, before other
// plugins change the code: a cheap text check, one iterative scan, then the passes in order.
import { declare } from '@babel/helper-plugin-utils';
import type { PluginObj, PluginPass } from '@babel/core';
import { createContext, type ServerReferenceMeta, type Types } from './context.js';
import { compiledOnly, directiveCandidates, rejectDirectiveFunctionsInClientFile, scanProgram } from './directives.js';
import { relativeFilePath } from './ids.js';
import { compileClient } from './layers/client.js';
import { compileServer, importsNextCache } from './layers/server.js';
import { parseOptions, type PluginOptions } from './options.js';
import { babelInternalsOf } from './babel-internals.js';

export type { PluginOptions } from './options.js';
export type { ServerReferenceMeta } from './context.js';

const DECLARATION_FILE = /\.d\.[cm]?tsx?$/;

const plugin: (api: object, options: Record<string, unknown> | undefined, dirname: string) => PluginObj<PluginPass> =
  declare((api, rawOptions): PluginObj<PluginPass> => {
    api.assertVersion(7);
    const options: PluginOptions = parseOptions(rawOptions);
    // @types/babel__core and @babel/types describe the same object with different declarations.
    const t = api.types as unknown as Types;
    // Babel's private caches, of the Babel instance that loads this plugin instance (each instance
    // has its own: nothing of it is kept in a module variable).
    const internals = babelInternalsOf(api);

    return {
      name: 'use-cache',
      visitor: {
        Program(program, state) {
          const file = state.file;
          const references: ServerReferenceMeta[] = [];
          (file.metadata as unknown as { serverReferences: ServerReferenceMeta[] }).serverReferences = references;
          // A declaration file (`.d.ts`) never runs: nothing in it is a reference.
          const filename = (file.opts as { filename?: string | null }).filename;
          if (filename && DECLARATION_FILE.test(filename)) return;
          // One pass of the text check: no match, no traversal; the matches guide the scan.
          const candidates = directiveCandidates(file.code);
          if (candidates.length === 0) return;

          const scan = compiledOnly(scanProgram(program.node, file, options, t.VISITOR_KEYS, candidates), options);
          const fileInfo = scan.fileDirective?.info ?? null;
          if (fileInfo?.type === 'client') {
            rejectDirectiveFunctionsInClientFile(file, scan);
            return;
          }
          const redirect = options.layer === 'server' && options.nextCompat && importsNextCache(program.node);
          if (!scan.fileDirective && scan.functions.length === 0 && !redirect) return;

          const opts = file.opts as { filename?: string | null; root?: string; cwd?: string };
          const relativePath = relativeFilePath(opts.filename, opts.root ?? opts.cwd ?? process.cwd());
          const ctx = createContext(t, file, program, options, internals, relativePath);
          if (options.layer === 'server') compileServer(ctx, scan, fileInfo);
          else compileClient(ctx, scan, fileInfo);

          // No scope re-crawl (a whole extra traversal): moved functions get fresh scopes when Babel
          // visits them at their new place, moved nested declarations keep their binding, and the
          // runtime import is left unregistered so TypeScript's import elision never drops it.
          ctx.references.sort((a, b) => a.loc.line - b.loc.line || a.loc.column - b.loc.column);
          references.push(...ctx.references);
        },
      },
    };
  });

export default plugin;

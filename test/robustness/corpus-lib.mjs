// The corpus and injection checks of the robustness suite (docs/robustness.md), shared by the sampled CI test
// (test/robustness/corpus.test.ts) and the full run (`npm run test:corpus`, scripts/corpus.mjs).
// Plain JavaScript so that worker threads and the script load it without a TypeScript step.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Large packages of node_modules (and this project's own sources): thousands of files. */
export const CORPUS_DIRS = [
  'node_modules/react',
  'node_modules/react-dom',
  'node_modules/react-server-dom-webpack',
  'node_modules/scheduler',
  'node_modules/@babel',
  'node_modules/typescript/lib',
  'node_modules/@types',
  'node_modules/webpack/lib',
  'node_modules/webpack/types.d.ts',
  'node_modules/vitest/dist',
  'node_modules/@vitest',
  'node_modules/vite/dist',
  'node_modules/terser',
  'node_modules/ajv/dist',
  'node_modules/ioredis/built',
  'node_modules/fast-check/lib',
  'node_modules/enhanced-resolve/lib',
  'node_modules/postcss/lib',
  'node_modules/playwright-core/lib',
  'src',
];

const EXTENSION = /\.(?:js|mjs|cjs|jsx|ts|mts|cts|tsx)$/;

/** Every corpus file (absolute, real paths, sorted, without duplicates). */
export function listCorpus(root = PROJECT_ROOT, dirs = CORPUS_DIRS) {
  const found = new Set();
  const walk = (entry) => {
    let stat;
    try {
      stat = statSync(entry);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const name of readdirSync(entry)) walk(path.join(entry, name));
    } else if (stat.isFile() && EXTENSION.test(entry)) {
      found.add(realpathSync(entry));
    }
  };
  for (const dir of dirs) walk(path.join(root, dir));
  return [...found].sort();
}

/** mulberry32: a tiny seeded PRNG, so a run is reproducible from its printed seed. */
export function createRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

/** `count` files drawn without replacement, in corpus order. */
export function sampleFiles(files, count, seed) {
  const rng = createRng(seed);
  const pool = [...files];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count).sort();
}

const isTs = (file) => /\.(?:m|c)?tsx?$/.test(file);
const isDts = (file) => /\.d\.(?:m|c)?ts$/.test(file) || /\.d\.[^.]+\.ts$/.test(file);

export function parserPlugins(file) {
  if (!isTs(file)) return ['jsx'];
  return [['typescript', { dts: isDts(file) }], ...(file.endsWith('.tsx') ? ['jsx'] : [])];
}

/**
 * Babel options for one corpus file, identical with and without the plugin: TypeScript goes through
 * @babel/preset-typescript like the CLI does (declaration files are only parsed and printed).
 */
export function corpusOptions(file, plugins, root = PROJECT_ROOT) {
  const presets =
    isTs(file) && !isDts(file)
      ? [
          [
            '@babel/preset-typescript',
            { isTSX: file.endsWith('.tsx'), allExtensions: true, onlyRemoveTypeImports: true },
          ],
        ]
      : [];
  return {
    filename: file,
    root,
    cwd: root,
    configFile: false,
    babelrc: false,
    sourceType: 'unambiguous',
    compact: false,
    highlightCode: false,
    parserOpts: { plugins: isTs(file) && !isDts(file) ? [] : parserPlugins(file) },
    presets,
    plugins,
  };
}

/** A plugin diagnostic: the only kind of error the plugin may raise on its own. */
export const diagnosticCode = (error) => /\[use-cache\/([\w-]+)\]/.exec(String(error?.message))?.[1];

const firstLine = (error) => `${error?.name ?? 'Error'}: ${String(error?.message ?? error).split('\n')[0]}`;

const ASYNC_FUNCTION_TYPES = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ObjectMethod',
  'ClassMethod',
  'ClassPrivateMethod',
]);

/** Async functions with a block body, in source order (found without @babel/traverse: plain walk). */
export function asyncFunctionBodies(ast) {
  const found = [];
  const stack = [ast.program];
  while (stack.length > 0) {
    const node = stack.pop();
    if (ASYNC_FUNCTION_TYPES.has(node.type) && node.async && node.body?.type === 'BlockStatement') found.push(node);
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'extra' || key.endsWith('Comments')) continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const item of value) if (item && typeof item.type === 'string') stack.push(item);
      } else if (value && typeof value.type === 'string') {
        stack.push(value);
      }
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

const INLINE_DIRECTIVES = ['use cache', 'use cache', 'use server', 'use cache: remote', 'use cache: private'];

/**
 * Inserts directives as text (everything else of the file stays byte for byte): at the top of up to
 * `count` random async function bodies and, now and then, at the top of the file.
 * Returns null when there is nowhere to insert.
 */
export function injectDirectives(parse, code, file, rng, count = 3) {
  let ast;
  try {
    ast = parse(code, { sourceType: 'unambiguous', plugins: parserPlugins(file), errorRecovery: false });
  } catch {
    return null;
  }
  const bodies = asyncFunctionBodies(ast);
  const inserts = [];
  const chosen = new Set();
  for (let i = 0; i < Math.min(count, bodies.length); i++) chosen.add(bodies[rng.int(bodies.length)]);
  for (const fn of chosen)
    inserts.push({ at: fn.body.start + 1, directive: rng.pick(INLINE_DIRECTIVES), line: fn.loc.start.line });
  const fileLevel = rng.next() < (bodies.length === 0 ? 0.5 : 0.25);
  if (fileLevel) {
    const at = ast.program.interpreter ? ast.program.interpreter.end : 0;
    inserts.push({ at, directive: rng.next() < 0.7 ? 'use cache' : 'use server', line: 0 });
  }
  if (inserts.length === 0) return null;
  let out = code;
  for (const { at, directive } of [...inserts].sort((a, b) => b.at - a.at)) {
    out = `${out.slice(0, at)}${at === 0 ? '' : '\n'}"${directive}";\n${out.slice(at)}`;
  }
  return { code: out, inserts, fileLevel };
}

/** Names a module exports, and the names it declares at top level. */
export function moduleNames(ast) {
  const exported = new Set();
  const declared = new Set();
  const addPattern = (pattern, into) => {
    if (!pattern) return;
    switch (pattern.type) {
      case 'Identifier':
        into.add(pattern.name);
        break;
      case 'ObjectPattern':
        for (const p of pattern.properties) addPattern(p.type === 'RestElement' ? p.argument : p.value, into);
        break;
      case 'ArrayPattern':
        for (const p of pattern.elements) addPattern(p, into);
        break;
      case 'AssignmentPattern':
        addPattern(pattern.left, into);
        break;
      case 'RestElement':
        addPattern(pattern.argument, into);
        break;
    }
  };
  const addDeclaration = (node, into) => {
    if (!node) return;
    if (node.type === 'VariableDeclaration') for (const d of node.declarations) addPattern(d.id, into);
    else if (node.id) addPattern(node.id, into);
  };
  for (const statement of ast.program.body) {
    if (statement.type === 'ExportNamedDeclaration') {
      addDeclaration(statement.declaration, exported);
      addDeclaration(statement.declaration, declared);
      for (const s of statement.specifiers ?? []) exported.add(s.exported.name ?? s.exported.value);
    } else if (statement.type === 'ExportDefaultDeclaration') {
      exported.add('default');
      if (statement.declaration.id) addDeclaration(statement.declaration, declared);
    } else if (statement.type === 'ExportAllDeclaration' && statement.exported) {
      exported.add(statement.exported.name ?? statement.exported.value);
    } else if (statement.type === 'ImportDeclaration') {
      for (const s of statement.specifiers) declared.add(s.local.name);
    } else {
      addDeclaration(statement, declared);
    }
  }
  return { exported, declared };
}

/** @param {unknown} error */
const stackOf = (error) => (error instanceof Error ? error.stack : undefined);

/**
 * Checks one file. `api` = { transformSync, parse, plugin }. Returns
 * { file, outcome, problems: [{ kind, message }], diagnostics: [code], references: n }.
 * - unchanged: without any reference, the output is byte-identical to Babel's without the plugin;
 *   the plugin throws only where Babel without it throws too.
 * - injected (when `injectSeed` is a number): directives inserted at random; the output parses,
 *   every reference is exported and declared, ids are 64 hex characters and unique; the client
 *   layer of a file-level injection exports the same names with the same ids.
 */
export function checkFile(
  api,
  file,
  code,
  { injectSeed, root = PROJECT_ROOT } = /** @type {{ injectSeed?: number, root?: string }} */ ({}),
) {
  const { transformSync, parse, plugin } = api;
  const problems = [];
  const diagnostics = [];
  let references = 0;
  let baseline;
  let baselineError;
  try {
    baseline = transformSync(code, corpusOptions(file, [], root)).code;
  } catch (error) {
    baselineError = error;
  }
  let withPlugin;
  try {
    withPlugin = transformSync(code, corpusOptions(file, [plugin], root));
  } catch (error) {
    if (!baselineError) {
      problems.push({
        kind: diagnosticCode(error) ? 'diagnostic-on-valid-file' : 'crash',
        message: firstLine(error),
        stack: stackOf(error),
      });
    }
  }
  if (baselineError && withPlugin) {
    problems.push({ kind: 'accepted-invalid-file', message: `Babel alone throws ${firstLine(baselineError)}` });
  }
  let outcome = baselineError ? 'syntax-error' : 'unchanged';
  if (withPlugin && baseline !== undefined) {
    const refs = withPlugin.metadata?.serverReferences ?? [];
    references += refs.length;
    if (refs.length > 0 || /next\/cache/.test(code)) outcome = 'has-references';
    else if (withPlugin.code !== baseline) {
      problems.push({
        kind: 'changed',
        message: `output differs from Babel's without the plugin${firstDifference(baseline, withPlugin.code)}`,
      });
    }
  }

  if (typeof injectSeed === 'number' && !baselineError) {
    const injected = injectDirectives(parse, code, file, createRng(injectSeed), 6);
    if (injected) {
      const result = checkInjected(api, file, injected, root);
      problems.push(...result.problems);
      diagnostics.push(...result.diagnostics);
      references += result.references;
    }
  }
  return { file, outcome, problems, diagnostics, references };
}

function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const line = a.slice(0, i).split('\n').length;
  return ` (first difference at line ${line}: ${JSON.stringify(a.slice(i, i + 60))} vs ${JSON.stringify(b.slice(i, i + 60))})`;
}

function transformLayer(api, file, code, layer, root) {
  try {
    return { result: api.transformSync(code, corpusOptions(file, [[api.plugin, { layer }]], root)) };
  } catch (error) {
    return { error };
  }
}

function checkInjected(api, file, injected, root) {
  const problems = [];
  const diagnostics = [];
  const where = injected.inserts
    .map((i) => `${JSON.stringify(i.directive)}@${i.line === 0 ? 'file' : `line ${i.line}`}`)
    .join(', ');
  const server = transformLayer(api, file, injected.code, 'server', root);
  if (server.error) {
    const code = diagnosticCode(server.error);
    if (code) diagnostics.push(code);
    else
      problems.push({
        kind: 'injection-crash',
        message: `${where}: ${firstLine(server.error)}`,
        stack: stackOf(server.error),
      });
    return { problems, diagnostics, references: 0 };
  }
  const refs = server.result.metadata?.serverReferences ?? [];
  problems.push(...checkOutput(api, file, server.result.code, refs, `${where} (server layer)`));
  const inline = injected.inserts.filter((i) => i.line !== 0).length;
  // An inline directive in an exported function of a directive file may merge into its file-level
  // reference, so only the total is checked: one reference at least per directive function.
  if (refs.length < inline) {
    problems.push({
      kind: 'injection-missing-reference',
      message: `${where}: compiled without a diagnostic but reported ${refs.length} references for ${inline} inline directives`,
    });
  }
  if (injected.fileLevel) {
    const client = transformLayer(api, file, injected.code, 'client', root);
    if (client.error) {
      const code = diagnosticCode(client.error);
      if (code) diagnostics.push(`client:${code}`);
      else
        problems.push({
          kind: 'injection-crash',
          message: `${where} (client layer): ${firstLine(client.error)}`,
          stack: stackOf(client.error),
        });
    } else {
      const clientRefs = client.result.metadata?.serverReferences ?? [];
      problems.push(
        ...checkOutput(api, file, client.result.code, clientRefs, `${where} (client layer)`, { declared: false }),
      );
      const serverFileIds = refs
        .filter((r) => r.level === 'file')
        .map((r) => `${r.exportName}=${r.id}`)
        .sort();
      const clientFileIds = clientRefs
        .filter((r) => r.level === 'file')
        .map((r) => `${r.exportName}=${r.id}`)
        .sort();
      if (serverFileIds.join() !== clientFileIds.join()) {
        problems.push({
          kind: 'layer-mismatch',
          message: `${where}: file-level references differ between layers: server [${serverFileIds}] client [${clientFileIds}]`,
        });
      }
    }
  }
  return { problems, diagnostics, references: refs.length };
}

function checkOutput(api, file, output, refs, where, { declared: checkDeclared = true } = {}) {
  const problems = [];
  let ast;
  try {
    ast = api.parse(output, { sourceType: 'unambiguous', plugins: parserPlugins(file), errorRecovery: false });
  } catch (error) {
    return [{ kind: 'output-does-not-parse', message: `${where}: ${firstLine(error)}` }];
  }
  const { exported, declared } = moduleNames(ast);
  const ids = new Set();
  for (const ref of refs) {
    if (!/^[0-9a-f]{64}$/.test(ref.id))
      problems.push({ kind: 'bad-id', message: `${where}: id ${JSON.stringify(ref.id)}` });
    if (ids.has(ref.id)) problems.push({ kind: 'duplicate-id', message: `${where}: ${ref.id} (${ref.exportName})` });
    ids.add(ref.id);
    if (!exported.has(ref.exportName)) {
      problems.push({
        kind: 'reference-not-exported',
        message: `${where}: ${ref.kind} reference ${JSON.stringify(ref.exportName)} is not exported`,
      });
    }
    if (
      checkDeclared &&
      ref.level === 'file' &&
      ref.exportName !== 'default' &&
      ref.localName &&
      !declared.has(ref.localName)
    ) {
      problems.push({
        kind: 'reference-not-declared',
        message: `${where}: local ${JSON.stringify(ref.localName)} of ${JSON.stringify(ref.exportName)} is not declared at top level`,
      });
    }
    if (!output.includes(ref.id))
      problems.push({ kind: 'id-not-in-output', message: `${where}: ${ref.id} (${ref.exportName})` });
  }
  return problems;
}

/**
 * Runs checkFile over `files` in worker threads, with a watchdog per file (a hang is a failure,
 * never a stuck test run). `pluginUrl` is the built plugin (dist/plugin/index.js).
 */
export async function runCorpus(
  files,
  {
    pluginUrl,
    injectSeed,
    workers = Math.max(1, Math.min(4, os.availableParallelism?.() ?? 2)),
    timeoutMs = (size) => 120_000 + size / 5,
    onResult = /** @type {(result: object) => void} */ (() => {}),
  },
) {
  const queue = files.map((file, index) => ({ file, index }));
  const results = [];
  const workerUrl = new URL('./corpus-worker.mjs', import.meta.url);
  const lane = async () => {
    /** @type {{ resolve: (message: any) => void } | undefined} */
    let pending;
    const start = () => {
      const started = new Worker(workerUrl, { workerData: { pluginUrl } });
      started.on('message', (message) => pending?.resolve(message));
      started.on('error', (error) => pending?.resolve({ workerError: error }));
      started.on('exit', (code) => pending?.resolve({ workerError: new Error(`worker exited with code ${code}`) }));
      return started;
    };
    let worker = start();
    while (queue.length > 0) {
      const { file, index } = queue.shift();
      let size = 0;
      try {
        size = statSync(file).size;
      } catch {
        // reported by the worker
      }
      const seed = typeof injectSeed === 'number' ? (injectSeed + index * 7919) >>> 0 : undefined;
      const message = await new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ timeout: true }), timeoutMs(size));
        pending = {
          resolve: (value) => {
            clearTimeout(timer);
            pending = undefined;
            resolve(value);
          },
        };
        worker.postMessage({ file, injectSeed: seed });
      });
      let result;
      if (message.timeout || message.workerError) {
        const why = message.timeout
          ? `no answer within ${timeoutMs(size)} ms (hang?)`
          : String(message.workerError?.stack ?? message.workerError);
        result = {
          file,
          outcome: 'failed',
          problems: [{ kind: message.timeout ? 'timeout' : 'worker-crash', message: why }],
          diagnostics: [],
          references: 0,
          injectSeed: seed,
        };
        const old = worker;
        pending = undefined;
        old.removeAllListeners();
        old.on('error', () => {});
        await old.terminate();
        worker = start();
      } else {
        result = { ...message, injectSeed: seed };
      }
      results.push(result);
      onResult(result);
    }
    await worker.terminate();
  };
  await Promise.all(Array.from({ length: Math.min(workers, files.length) }, lane));
  return results.sort((a, b) => (a.file < b.file ? -1 : 1));
}

export function summarize(results) {
  const outcomes = {};
  const diagnostics = {};
  let references = 0;
  for (const r of results) {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    for (const d of r.diagnostics) diagnostics[d] = (diagnostics[d] ?? 0) + 1;
    references += r.references;
  }
  const failures = results.filter((r) => r.problems.length > 0);
  return { files: results.length, outcomes, diagnostics, references, failures };
}

export function formatFailures(failures, root = PROJECT_ROOT, limit = 40) {
  const lines = [];
  for (const f of failures.slice(0, limit)) {
    const seed = f.injectSeed === undefined ? '' : ` (injection seed ${f.injectSeed})`;
    for (const p of f.problems) lines.push(`${path.relative(root, f.file)}${seed}: [${p.kind}] ${p.message}`);
  }
  if (failures.length > limit) lines.push(`... and ${failures.length - limit} more files`);
  return lines.join('\n');
}

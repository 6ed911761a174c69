#!/usr/bin/env node
// The whole robustness corpus (docs/robustness.md): every .js/.mjs/.cjs/.ts/.tsx file of large packages in
// node_modules, each checked unchanged without directives and again with injected directives.
//   npm run test:corpus                      the whole corpus (builds first)
//   node scripts/corpus.mjs --seed 42        a given injection seed (the default is random, printed)
//   node scripts/corpus.mjs --sample 300     a seeded sample instead of every file
//   node scripts/corpus.mjs --file path ...  only these files
//   node scripts/corpus.mjs --plugin FILE    another build of the plugin (default dist/plugin/index.js)
// Exit code 1 when any file fails. Needs the built plugin (npm run build).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  PROJECT_ROOT,
  formatFailures,
  listCorpus,
  runCorpus,
  sampleFiles,
  summarize,
} from '../test/robustness/corpus-lib.mjs';

const { values, positionals } = parseArgs({
  options: {
    seed: { type: 'string' },
    sample: { type: 'string' },
    file: { type: 'string', multiple: true },
    workers: { type: 'string' },
    'no-inject': { type: 'boolean' },
    plugin: { type: 'string' },
  },
  allowPositionals: true,
});

const plugin = path.resolve(values.plugin ?? path.join(PROJECT_ROOT, 'dist/plugin/index.js'));
if (!existsSync(plugin)) {
  console.error(`scripts/corpus.mjs: ${plugin} is missing: run \`npm run build\` first`);
  process.exit(2);
}
const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
let files = values.file?.length ? [...values.file, ...positionals].map((f) => path.resolve(f)) : listCorpus();
if (values.sample) files = sampleFiles(files, Number(values.sample), seed);
console.log(`corpus: ${files.length} files, seed ${seed}${values['no-inject'] ? ', no injection' : ''}`);

const started = performance.now();
let done = 0;
const results = await runCorpus(files, {
  pluginUrl: pathToFileURL(plugin).href,
  injectSeed: values['no-inject'] ? undefined : seed,
  workers: values.workers ? Number(values.workers) : undefined,
  onResult: (r) => {
    done++;
    if (r.problems.length > 0)
      console.log(
        `FAIL ${path.relative(PROJECT_ROOT, r.file)}: ${r.problems.map((p) => `[${p.kind}] ${p.message}`).join('; ')}`,
      );
    if (done % 250 === 0)
      console.log(`  ${done}/${files.length} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  },
});
const summary = summarize(results);
console.log(`\n${summary.files} files in ${((performance.now() - started) / 1000).toFixed(1)} s, seed ${seed}`);
console.log('outcomes:', JSON.stringify(summary.outcomes));
console.log('references compiled:', summary.references);
console.log('diagnostics after injection:', JSON.stringify(summary.diagnostics));
if (summary.failures.length > 0) {
  console.log(`\n${summary.failures.length} files failed:\n${formatFailures(summary.failures, PROJECT_ROOT, 200)}`);
  console.log(`\nreproduce: node scripts/corpus.mjs --seed ${seed} --file <file>`);
  process.exit(1);
}
console.log('all files passed');

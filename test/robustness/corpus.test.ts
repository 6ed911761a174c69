// Corpus and injection, on a sample of the corpus that fits CI's time budget: the files listed in
// corpus-sample.txt (checked in, installed packages only, so a run does not depend on what
// node_modules holds that day; a listed file that is gone fails the run). The whole corpus: `npm run test:corpus`.
// A new random sample instead of the list: CORPUS_SEED=<n>|random [CORPUS_BYTES=<n>];
// CORPUS_SAMPLE=write also writes that draw to the list (review the diff like any other change).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLUGIN, ROOT } from '../cli/built.js';
// @ts-expect-error plain JavaScript helper shared with scripts/corpus.mjs
import { createRng, formatFailures, listCorpus, runCorpus, summarize } from './corpus-lib.mjs';

const SAMPLE_LIST = path.join(ROOT, 'test/robustness/corpus-sample.txt');
const DRAW = process.env.CORPUS_SEED !== undefined || process.env.CORPUS_SAMPLE === 'write';

// The seed of a draw, and of the directives injected into the files (1 unless CORPUS_SEED says).
const SEED =
  process.env.CORPUS_SEED === 'random'
    ? (Math.random() * 2 ** 32) >>> 0
    : process.env.CORPUS_SEED !== undefined
      ? Number(process.env.CORPUS_SEED) >>> 0
      : 1;
/** Source bytes per run: each file is compiled three to four times. */
const BYTES = Number(process.env.CORPUS_BYTES ?? 1_200_000);
const MAX_FILE = 150_000;

interface Result {
  file: string;
  outcome: string;
  problems: Array<{ kind: string; message: string }>;
  diagnostics: string[];
  references: number;
}

/**
 * Files drawn at random (seeded) until the byte budget is spent, big files left to the full run;
 * half of the budget goes to files with async functions, where directives get injected.
 */
function sample(files: string[], seed: number): string[] {
  const rng = createRng(seed);
  const pool = files.map((file) => ({ file, size: statSync(file).size })).filter((f) => f.size <= MAX_FILE);
  const withAsync = pool.filter((f) =>
    /\basync\s+(?:function\b|\(|[\w$]+\s*(?:=>|\())/.test(readFileSync(f.file, 'utf8')),
  );
  const chosen = new Set<string>();
  const draw = (from: typeof pool, budget: number) => {
    let bytes = 0;
    const left = [...from];
    while (left.length > 0 && bytes < budget) {
      const [entry] = left.splice(rng.int(left.length), 1);
      if (chosen.has(entry!.file)) continue;
      chosen.add(entry!.file);
      bytes += entry!.size;
    }
  };
  draw(withAsync, BYTES / 2);
  draw(pool, BYTES / 2);
  return [...chosen].sort();
}

let results: Result[];

/** The checked-in sample: paths relative to the repository, one per line. */
function listedSample(): string[] {
  const files = readFileSync(SAMPLE_LIST, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => path.join(ROOT, line));
  const gone = files.filter((file) => !existsSync(file));
  if (gone.length > 0)
    throw new Error(
      `${gone.length} files of ${path.relative(ROOT, SAMPLE_LIST)} are gone (first: ${path.relative(ROOT, gone[0]!)}): ` +
        'draw a new sample with CORPUS_SAMPLE=write npx vitest run test/robustness/corpus.test.ts',
    );
  return files;
}

beforeAll(async () => {
  let files: string[];
  if (DRAW) {
    // The written list holds installed packages only (pinned by package-lock.json): the project's
    // own sources change with every commit.
    const writing = process.env.CORPUS_SAMPLE === 'write';
    const all = (listCorpus() as string[]).filter(
      (f) => !writing || !path.relative(ROOT, f).startsWith(`src${path.sep}`),
    );
    files = sample(all, SEED);
    console.log(`corpus sample: ${files.length} of ${all.length} files drawn with seed ${SEED}`);
    if (process.env.CORPUS_SAMPLE === 'write')
      writeFileSync(SAMPLE_LIST, files.map((file) => path.relative(ROOT, file) + '\n').join(''));
  } else {
    files = listedSample();
    console.log(`corpus sample: the ${files.length} files of ${path.relative(ROOT, SAMPLE_LIST)}`);
  }
  const started = performance.now();
  results = await runCorpus(files, { pluginUrl: pathToFileURL(PLUGIN).href, injectSeed: SEED, workers: 2 });
  const summary = summarize(results);
  console.log(
    `corpus sample checked in ${((performance.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(summary.outcomes)}, ` +
      `${summary.references} references compiled, diagnostics after injection ${JSON.stringify(summary.diagnostics)}`,
  );
}, 240_000);

const failuresOf = (kinds: string[]) =>
  results
    .map((r) => ({ ...r, problems: r.problems.filter((p) => kinds.includes(p.kind)) }))
    .filter((r) => r.problems.length > 0);

describe(`corpus (seed ${SEED})`, () => {
  it('covers JavaScript and TypeScript files', () => {
    const extensions = new Set(results.map((r) => path.extname(r.file)));
    expect(extensions).toContain('.js');
    expect(extensions).toContain('.ts');
    expect(results.length).toBeGreaterThan(50);
    expect(results.every((r) => r.file.startsWith(ROOT) || r.file.includes('node_modules'))).toBe(true);
  });

  it('files without directives come out byte-identical to Babel without the plugin', () => {
    expect(formatFailures(failuresOf(['changed']), ROOT)).toBe('');
  });

  it("the plugin throws only where Babel alone throws (the file's own syntax errors), never hangs", () => {
    const kinds = [
      'crash',
      'diagnostic-on-valid-file',
      'accepted-invalid-file',
      'timeout',
      'worker-crash',
      'harness-error',
    ];
    expect(formatFailures(failuresOf(kinds), ROOT)).toBe('');
  });
});

describe(`injected directives (seed ${SEED})`, () => {
  it('compile or fail with a [use-cache/...] diagnostic, nothing else', () => {
    expect(formatFailures(failuresOf(['injection-crash']), ROOT)).toBe('');
  });

  it('give output that parses, with every reference exported and declared, ids well formed and unique, layers agreeing', () => {
    const kinds = [
      'output-does-not-parse',
      'reference-not-exported',
      'reference-not-declared',
      'bad-id',
      'duplicate-id',
      'id-not-in-output',
      'layer-mismatch',
      'injection-missing-reference',
    ];
    expect(formatFailures(failuresOf(kinds), ROOT)).toBe('');
  });

  it('exercise the compiler (references are produced, not only diagnostics)', () => {
    // How many depends on the draw (5 to 34 references over seeds 1-6, with the project's own
    // files in the corpus changing the draw as they change), so only "some" is asserted.
    expect(results.reduce((n, r) => n + r.references, 0)).toBeGreaterThan(0);
  });
});

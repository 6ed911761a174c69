// Compiler figures: the Babel pipeline (@babel/preset-typescript + @babel/preset-react) with this
// plugin against the same pipeline without it, on the generated inputs and on the fixture corpus.
//
// A 1% difference is below the noise of one run on a shared machine, so the pipelines are timed
// one call at a time, interleaved, and compared at their 10th percentiles (lib/measure.mjs,
// compareInterleaved). Three figures per input:
// - with the plugin ÷ without it: the figure;
// - with the plugin ÷ the same pipeline on the plugin's output: what the plugin's own work adds,
//   apart from the presets and the generator handling the larger code it must emit;
// - the plugin's own visitor time, measured from inside the runs ("whole ÷ whole minus plugin
//   visitors"): the steadiest view, as both sides come from the same calls.
import { transformSync } from '@babel/core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadDist, outDir, repoRoot } from '../lib/dist.mjs';
import { compareInterleaved, median } from '../lib/measure.mjs';
import { emit, figure, notAvailable, progress } from '../lib/report.mjs';
import { writeInputs } from '../inputs/generate.mjs';
import { listFixtures } from '../../test/support/fixture-files.mjs';

const quick = process.env.BENCH_QUICK === '1';
const presets = [
  ['@babel/preset-typescript', { allExtensions: true, isTSX: true, onlyRemoveTypeImports: true }],
  '@babel/preset-react',
];

function targetFor(directives) {
  return directives === 0 ? 1.01 : 1.05;
}

/** Options objects are built once and reused: Babel caches loaded plugins by identity. */
function pipelines(plugin, pluginOptions = {}) {
  const base = { configFile: false, babelrc: false, root: repoRoot, cwd: repoRoot, presets, sourceType: 'module' };
  return {
    without: { ...base },
    with: { ...base, plugins: [[plugin, pluginOptions]] },
    pluginOptions,
  };
}

function transformer(options, file, code) {
  const opts = { ...options, filename: file };
  return () => transformSync(code, opts);
}

/**
 * Wraps the plugin so that every visitor function it returns is timed. Returns the wrapped
 * plugin and a meter whose `ms` grows by the time spent inside the plugin's own code.
 */
function timedPlugin(plugin) {
  const meter = { ms: 0 };
  let depth = 0; // a visitor running inside another one is counted once, by the outer one
  const time = (fn) =>
    /** @this {unknown} */
    function timed(...args) {
      if (depth > 0) return fn.apply(this, args);
      depth++;
      const start = performance.now();
      try {
        return fn.apply(this, args);
      } finally {
        meter.ms += performance.now() - start;
        depth--;
      }
    };
  const wrapped = (api, options, dirname) => {
    const result = plugin(api, options, dirname);
    const out = { ...result };
    for (const key of ['pre', 'post']) if (typeof result[key] === 'function') out[key] = time(result[key]);
    if (result.visitor) {
      out.visitor = {};
      for (const [node, handler] of Object.entries(result.visitor)) {
        if (typeof handler === 'function') out.visitor[node] = time(handler);
        else if (handler && typeof handler === 'object') {
          out.visitor[node] = { ...handler };
          for (const phase of ['enter', 'exit']) {
            if (typeof handler[phase] === 'function') out.visitor[node][phase] = time(handler[phase]);
          }
        } else out.visitor[node] = handler;
      }
    }
    return out;
  };
  return { plugin: wrapped, meter };
}

/**
 * Median time of one transform with the plugin, and median time spent inside the plugin's
 * visitors during it. `files` is a list of { file, code, options } transformed as one unit.
 */
function visitorShare(plugin, files, runs) {
  const { plugin: timed, meter } = timedPlugin(plugin);
  const each = files.map((f) => transformer(pipelines(timed, f.options ?? {}).with, f.file, f.code));
  const run = () => each.forEach((transform) => transform());
  for (let i = 0; i < 5; i++) run();
  const shares = [];
  const totals = [];
  for (let i = 0; i < runs; i++) {
    meter.ms = 0;
    const start = performance.now();
    run();
    const total = performance.now() - start;
    shares.push(meter.ms);
    totals.push(total);
  }
  return { plugin: median(shares), total: median(totals) };
}

const visitorName = (what) => `compile ${what}: whole ÷ whole minus plugin visitors`;
const ownName = (what) => `compile ${what}: with plugin ÷ pipeline on the plugin's output`;
const ratioText = (a, b) => `${(a / b).toFixed(3)}×`;

/** The plugin's output with the TypeScript and JSX left in, for the presets to compile. */
function pluginOutput(plugin, file, code, pluginOptions = {}) {
  const result = transformSync(code, {
    configFile: false,
    babelrc: false,
    root: repoRoot,
    cwd: repoRoot,
    filename: file,
    sourceType: 'module',
    parserOpts: { plugins: ['typescript', 'jsx'] },
    plugins: [[plugin, pluginOptions]],
  });
  if (!result?.code) throw new Error(`no output for ${file}`);
  return result.code;
}

/** value: whole transform with the plugin; baseline: the same runs minus the plugin's own time. */
function emitVisitorShare(name, target, plugin, files, runs) {
  // Their ratio estimates the plugin's cost without run-to-run noise (it leaves out Babel's own
  // cost of dispatching to one more plugin, which is tiny).
  const share = visitorShare(plugin, files, runs);
  const rest = share.total - share.plugin;
  emit(figure({ name, value: share.total, unit: 'ms', baseline: rest, ratio: share.total / rest, target }));
}

/**
 * What the plugin's use of Babel's private caches (src/plugin/babel-internals.ts) buys: its own
 * visitor time with them ÷ as a Babel without them loads it (public API only, the closure
 * analysis as a Babel visitor). Target 1: at or above it, the fast path is not worth keeping.
 */
function emitInternalsGain(what, plugin, files, runs) {
  const publicOnly = (api, options, dirname) => plugin({ ...api, traverse: undefined }, options, dirname);
  // Both timed the same way, one run of each in turn (alternating which goes first), after a
  // warm-up of both: a shared machine's drift and the JIT's warm-up then fall on both alike.
  const sides = [plugin, publicOnly].map((p) => {
    const { plugin: timed, meter } = timedPlugin(p);
    const each = files.map((f) => transformer(pipelines(timed, f.options ?? {}).with, f.file, f.code));
    const samples = [];
    const run = () => {
      meter.ms = 0;
      each.forEach((transform) => transform());
      return meter.ms;
    };
    return { run, samples };
  });
  for (let i = 0; i < 5; i++) sides.forEach((side) => side.run());
  for (let i = 0; i < runs * 4; i++) {
    for (const side of i % 2 ? [...sides].reverse() : sides) side.samples.push(side.run());
  }
  const [fast, slow] = sides.map((side) => median(side.samples));
  emit(
    figure({
      name: `compile ${what}: plugin visitors with Babel's caches ÷ public API only`,
      value: fast,
      unit: 'ms',
      baseline: slow,
      target: 1,
      note: `medians of ${runs * 4} alternating runs`,
    }),
  );
}

/** Babel's warnings (e.g. preset-typescript's about unregistered bindings): counted, printed once each. */
const warnings = new Map();
const originalWarn = console.warn;
console.warn = (...args) => {
  const text = args.map(String).join(' ');
  warnings.set(text, (warnings.get(text) ?? 0) + 1);
};
function reportWarnings(where) {
  for (const [text, count] of warnings) {
    originalWarn(`  warning printed ${count}× while compiling ${where}: ${text.split('\n').slice(0, 2).join(' ')}`);
  }
  warnings.clear();
}

async function main() {
  const loaded = await loadDist('plugin/index.js');
  const plugin = loaded.module?.default;
  const inputs = writeInputs(path.join(outDir, 'inputs'));

  if (typeof plugin !== 'function') {
    const reason = loaded.missing ?? 'plugin/index.js has no default export';
    for (const input of inputs)
      emit(notAvailable(`compile ${input.name} ÷ without plugin`, 'ms', targetFor(input.directives), reason));
    for (const input of inputs)
      if (input.directives > 0) emit(notAvailable(ownName(input.name), 'ms', targetFor(input.directives), reason));
    emit(notAvailable('compile fixture corpus ÷ without plugin', 'ms', 1.05, reason));
    for (const input of inputs) emit(notAvailable(visitorName(input.name), 'ms', targetFor(input.directives), reason));
    emit(notAvailable(visitorName('fixture corpus'), 'ms', 1.05, reason));
    return;
  }

  const { with: withPlugin, without } = pipelines(plugin);
  for (const input of inputs) {
    const name = `compile ${input.name} ÷ without plugin`;
    const target = targetFor(input.directives);
    try {
      transformer(withPlugin, input.file, input.code)(); // fails early on a compiler error
      /** @type {Record<string, () => unknown>} */
      const variants = {
        with: transformer(withPlugin, input.file, input.code),
        without: transformer(without, input.file, input.code),
      };
      // The same pipeline without the plugin on the code the plugin emits: what any compiler
      // producing this output would cost. Files without a directive come out unchanged.
      if (input.directives > 0)
        variants.onOutput = transformer(without, input.file, pluginOutput(plugin, input.file, input.code));
      const samples = input.lines > 1000 ? (quick ? 15 : 100) : quick ? 60 : 300;
      const r = compareInterleaved(variants, { samples, warmup: input.lines > 1000 ? 5 : 30 });
      const note = `10th percentiles of ${samples} interleaved calls (medians: ${ratioText(r.with.median, r.without.median)})`;
      progress(`${name}: ${r.with.low.toFixed(2)} ms vs ${r.without.low.toFixed(2)} ms`);
      emit(figure({ name, value: r.with.low, unit: 'ms', baseline: r.without.low, target, note }));
      if (r.onOutput) {
        emit(
          figure({
            name: ownName(input.name),
            value: r.with.low,
            unit: 'ms',
            baseline: r.onOutput.low,
            target,
            note: `baseline: the pipeline on the plugin's output (${ratioText(r.onOutput.low, r.without.low)} of the source's cost); medians: ${ratioText(r.with.median, r.onOutput.median)}`,
          }),
        );
      }
      emitVisitorShare(visitorName(input.name), target, plugin, [input], quick ? 5 : input.lines > 1000 ? 7 : 15);
      if (input.directives > 0) emitInternalsGain(input.name, plugin, [input], quick ? 5 : input.lines > 1000 ? 7 : 15);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      emit(notAvailable(name, 'ms', target, `compile error: ${message.split('\n')[0].slice(0, 120)}`));
      if (input.directives > 0) emit(notAvailable(ownName(input.name), 'ms', target, 'compile error'));
      emit(notAvailable(visitorName(input.name), 'ms', target, 'compile error'));
    }
    reportWarnings(input.name);
  }

  // The fixture corpus: every fixture input that compiles (error fixtures are skipped), with its
  // plugin options (the group's and the case's options.json), as one unit of work.
  const corpus = [];
  for (const { inputFile: file, options } of listFixtures()) {
    try {
      const pipes = pipelines(plugin, options);
      const code = readFileSync(file, 'utf8');
      const run = transformer(pipes.with, file, code);
      run();
      const output = pluginOutput(plugin, file, code, pipes.pluginOptions);
      corpus.push({
        with: run,
        without: transformer(pipes.without, file, code),
        onOutput: transformer(pipes.without, file, output),
        file,
        code,
        options: pipes.pluginOptions,
      });
    } catch {
      // an error fixture, or options this pipeline does not take: not part of the speed corpus
    }
  }
  const corpusName = `compile fixture corpus (${corpus.length} files) ÷ without plugin`;
  if (corpus.length === 0) {
    emit(notAvailable('compile fixture corpus ÷ without plugin', 'ms', 1.05, 'no fixture compiles yet'));
  } else {
    const samples = quick ? 10 : 40;
    const r = compareInterleaved(
      {
        with: () => corpus.forEach((c) => c.with()),
        without: () => corpus.forEach((c) => c.without()),
        onOutput: () => corpus.forEach((c) => c.onOutput()),
      },
      { samples, warmup: quick ? 2 : 5 },
    );
    const note = `10th percentiles of ${samples} interleaved runs (medians: ${ratioText(r.with.median, r.without.median)})`;
    emit(figure({ name: corpusName, value: r.with.low, unit: 'ms', baseline: r.without.low, target: 1.05, note }));
    emit(
      figure({
        name: ownName(`fixture corpus (${corpus.length} files)`),
        value: r.with.low,
        unit: 'ms',
        baseline: r.onOutput.low,
        target: 1.05,
        note: `baseline: the pipeline on the plugin's output (${ratioText(r.onOutput.low, r.without.low)} of the sources' cost)`,
      }),
    );
    emitVisitorShare(visitorName(`fixture corpus (${corpus.length} files)`), 1.05, plugin, corpus, quick ? 5 : 9);
    emitInternalsGain(`fixture corpus (${corpus.length} files)`, plugin, corpus, quick ? 5 : 9);
  }
  reportWarnings('the fixture corpus');
}

await main();

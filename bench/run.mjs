// `npm run bench`: every benchmark, one table, bench/results.json.
//
//   npm run bench                       (builds dist/, then runs this with --conditions react-server)
//   node bench/run.mjs --only runtime,revalidate   (some groups only)
//   BENCH_QUICK=1 node bench/run.mjs    (fewer iterations: a smoke test, not figures to publish)
//   USE_CACHE_DIST=path                 (measure a build other than dist/)
//
// Each group runs in its own child process, started with NODE_ENV=production (React chooses its
// development or production build when it is first loaded) and --conditions react-server, so that
// memory figures (RSS) and JIT state of one group never leak into another. The children are given
// a higher scheduling priority when allowed (nice -10), because other work on a shared machine
// otherwise dominates the timings. Children print figures (lib/report.mjs); this process collects
// them, prints the table and writes bench/results.json.
//
// The figures' method (medians, alternating batches, paired ratios, CPU vs wall time) is in
// lib/measure.mjs; what each row means is in the Performance section of README.md.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseFigures, table, notAvailable, status } from './lib/report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const GROUPS = [
  { name: 'compiler', title: 'Compiler' },
  { name: 'cli', title: 'CLI start-up' },
  { name: 'runtime', title: 'Runtime: hit, miss, stale serve, concurrency' },
  { name: 'revalidate', title: 'revalidateTag' },
  { name: 'observability', title: 'Observability: a hit with a listener, with tracing' },
  { name: 'encryption', title: 'Server actions: encryption of captured values' },
  { name: 'captured', title: "Inline 'use cache' with encrypted captured values" },
  { name: 'memory', title: 'Memory handler under 1,000,000 keys' },
  { name: 'handlers', title: 'Cache handlers (bench/handlers.mjs)' },
  { name: 'scale-out', title: 'Scale out: one fill across processes, leases, compression' },
];

// Several people build in this checkout at once, and every build starts by deleting dist/. So the
// build this run measures is copied first (bench/.out/dist-run), and the groups load that copy.
const repoRoot = path.resolve(here, '..');
const source = path.resolve(repoRoot, process.env.USE_CACHE_DIST || 'dist');
const snapshot = path.join(here, '.out/dist-run');
for (let waited = 0; !existsSync(path.join(source, 'runtime/index.js')) && waited < 120; waited += 2) {
  if (waited === 0) process.stderr.write(`waiting for ${path.relative(repoRoot, source)}/ (being rebuilt?)\n`);
  await new Promise((resolve) => setTimeout(resolve, 2000));
}
if (source !== snapshot) {
  rmSync(snapshot, { recursive: true, force: true });
  if (existsSync(source)) cpSync(source, snapshot, { recursive: true });
}

const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? process.argv[onlyArg + 1].split(',') : undefined;
const groups = only ? GROUPS.filter((g) => only.includes(g.name)) : GROUPS;

function runGroup(group) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions', 'react-server', '--expose-gc', path.join(here, 'groups', `${group.name}.mjs`)],
      {
        env: { ...process.env, NODE_ENV: 'production', USE_CACHE_DIST: snapshot },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      if (child.pid !== undefined) os.setPriority(child.pid, -10);
    } catch {
      // not allowed here: run at normal priority
    }
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const startedAt = performance.now();
const load = [os.loadavg()[0]];
const figures = [];
const sections = [];
for (const group of groups) {
  process.stderr.write(`\n> ${group.title}\n`);
  const t = performance.now();
  const { code, stdout, stderr } = await runGroup(group);
  const { figures: found, other } = parseFigures(stdout);
  for (const line of other) process.stderr.write(`  ${line}\n`);
  if (code !== 0) {
    const reason = `${group.name} group exited ${code}: ${(stderr.trim().split('\n').pop() || '').slice(0, 160)}`;
    process.stderr.write(`  ${reason}\n`);
    if (found.length === 0) found.push(notAvailable(`${group.title}`, '-', null, reason));
  }
  figures.push(...found);
  sections.push({ title: group.title, figures: found });
  process.stderr.write(`  (${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
  load.push(os.loadavg()[0]);
}
const seconds = (performance.now() - startedAt) / 1000;

const environment = {
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  loadAverage1m: { min: Math.min(...load), max: Math.max(...load) },
  seconds: Math.round(seconds),
};
writeFileSync(path.join(here, 'results.json'), JSON.stringify({ figures, environment }, null, 2) + '\n');

let out = '';
for (const section of sections) out += `\n### ${section.title}\n\n${table(section.figures)}\n`;
const missed = figures.filter((f) => status(f) === 'MISSED');
const unavailable = figures.filter((f) => status(f) === 'n/a');
out +=
  `\n${figures.length} figures in ${seconds.toFixed(0)} s on ${environment.cpus} × ${environment.cpuModel}, ` +
  `Node ${environment.node}, 1-minute load average ${environment.loadAverage1m.min.toFixed(1)}–${environment.loadAverage1m.max.toFixed(1)}; ` +
  `${missed.length} target(s) missed, ${unavailable.length} not available. Written to bench/results.json.\n`;
process.stdout.write(out);

// Figures: what every benchmark group reports, and how run.mjs prints them.
//
// A figure is one row of the table and one entry of bench/results.json:
//   { name, value, unit, baseline, ratio, target }
// `target` is the ratio the figure must stay under (or null when there is none). A row whose
// component has not landed (or failed) has value/baseline/ratio null and a `note` saying why;
// other rows may carry a `note` too (e.g. the spread of the paired ratios).

const MARK = '@@figure ';

/**
 * Round to 3 significant digits so results.json stays readable and diffable.
 * @param {number | null | undefined} x
 * @returns {number | null}
 */
function round(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return x ?? null;
  if (x === 0) return 0;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return Number(x.toFixed(Math.min(digits, 6)));
}

/**
 * One row of the table and of results.json. `ratio` defaults to value ÷ baseline; `target` is the
 * ratio the figure must stay under (null: none).
 * @param {{ name: string, value: number | null, unit: string, baseline?: number | null, ratio?: number | null,
 *   target?: number | null, note?: string }} row
 */
export function figure({ name, value, unit, baseline = null, ratio, target = null, note }) {
  const r = ratio ?? (value != null && baseline ? value / baseline : null);
  /** @type {{ name: string, value: number | null, unit: string, baseline: number | null, ratio: number | null, target: number | null, note?: string }} */
  const f = {
    name,
    value: round(value),
    unit,
    baseline: round(baseline),
    ratio: r == null ? null : Number(r.toFixed(3)),
    target,
  };
  if (note) f.note = note;
  return f;
}

export function notAvailable(name, unit, target, reason) {
  return figure({ name, value: null, unit, baseline: null, ratio: null, target, note: `not available: ${reason}` });
}

/** Called by a group (child process): hand one figure to run.mjs. */
export function emit(f) {
  process.stdout.write(MARK + JSON.stringify(f) + '\n');
}

/**
 * Emit a timing comparison (`compare`'s result, in ms) as a figure in µs, and say it on stderr.
 * @param {{ name: string, target?: number | null }} row
 * @param {{ value: number, baseline: number, ratio: number }} r
 */
export function emitTiming(row, r) {
  const value = r.value * 1000;
  const baseline = r.baseline * 1000;
  emit(figure({ name: row.name, value, unit: 'µs', baseline, ratio: r.ratio, target: row.target ?? null }));
  progress(`${row.name}: ${value.toFixed(1)} µs vs ${baseline.toFixed(1)} µs`);
}

/** Progress for the human watching; goes to stderr so it never mixes with figures. */
export function progress(message) {
  process.stderr.write(`  ${message}\n`);
}

/** Split a child's stdout into figures and other lines. */
export function parseFigures(stdout) {
  const figures = [];
  const other = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith(MARK)) figures.push(JSON.parse(line.slice(MARK.length)));
    else if (line.trim()) other.push(line);
  }
  return { figures, other };
}

export function status(f) {
  if (f.value === null) return 'n/a';
  if (f.target === null || f.ratio === null) return '';
  return f.ratio <= f.target ? 'met' : 'MISSED';
}

const fmt = (x) => (x === null || x === undefined ? '-' : String(x));

/** The table as Markdown (printed to the terminal and pasted into the Performance section of README.md). */
export function table(figures) {
  const head = ['figure', 'value', 'baseline', 'unit', 'ratio', 'target', 'status'];
  const rows = figures.map((f) => [
    f.name + (f.note ? ` (${f.note})` : ''),
    fmt(f.value),
    fmt(f.baseline),
    f.unit,
    f.ratio === null ? '-' : f.ratio.toFixed(3),
    f.target === null ? '-' : `≤ ${f.target}`,
    status(f),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(head), rule, ...rows.map(line)].join('\n');
}

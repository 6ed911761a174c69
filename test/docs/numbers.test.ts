// The performance figures the docs quote are the ones in bench/results.json (the last full
// `npm run bench`): bench/README.md's tables, docs/runtime.md's Speed rows and README's intro.
// After a new bench run, paste its tables and update these places together.
import { describe, expect, it } from 'vitest';
import { readDoc } from '../support/readme.js';

interface Figure {
  name: string;
  note?: string;
  value: number;
  baseline: number;
  ratio: number;
}
const list = (JSON.parse(readDoc('bench/results.json')) as { figures: Figure[] }).figures;
const figures = new Map(list.map((f) => [f.name, f]));
// The printed table names a row with its note in parentheses (bench/lib/report.mjs).
const printed = new Map(list.map((f) => [f.note ? `${f.name} (${f.note})` : f.name, f]));

/** Rows of the Markdown tables between `<!-- marker -->` and `<!-- /marker -->`: cells by column name. */
function tableRows(markdown: string, marker: string): Record<string, string>[] {
  const start = markdown.indexOf(`<!-- ${marker}`);
  const end = markdown.indexOf(`<!-- /${marker}`);
  expect(start, `<!-- ${marker} --> in the document`).toBeGreaterThanOrEqual(0);
  const rows: Record<string, string>[] = [];
  let header: string[] = [];
  for (const line of markdown.slice(start, end).split('\n')) {
    if (!line.startsWith('|')) {
      header = [];
      continue;
    }
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (header.length === 0) header = cells;
    else if (!/^:?-+:?$/.test(cells[0]!)) rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i]!])));
  }
  return rows;
}

function expectAgreement(rows: Record<string, string>[], where: string): void {
  expect(rows.length).toBeGreaterThan(5);
  for (const row of rows) {
    const figure = printed.get(row.figure!);
    expect(figure, `${where}: "${row.figure}" is not a figure of bench/results.json`).toBeDefined();
    expect(
      [parseFloat(row.value!), parseFloat(row.baseline!), parseFloat(row.ratio!)],
      `${where}: "${row.figure}"`,
    ).toEqual([figure!.value, figure!.baseline, figure!.ratio]);
  }
}

describe('performance numbers agree everywhere', () => {
  it("bench/README.md's tables are bench/results.json", () => {
    expectAgreement(tableRows(readDoc('bench/README.md'), 'bench:tables'), 'bench/README.md');
  });

  it("docs/runtime.md's Speed rows are bench/results.json", () => {
    expectAgreement(tableRows(readDoc('docs/runtime.md'), 'bench:runtime-rows'), 'docs/runtime.md');
  });

  it("README's intro quotes the same hit ratios", () => {
    const intro = readDoc('README.md').split('\n## ')[0]!;
    const bare = figures.get('hit, 3 primitive args, small object result ÷ bare encodeReply')!;
    const flight = figures.get('hit, 3 primitive args, small object result ÷ encode + createFromReadableStream hit')!;
    expect(intro).toContain(`costs ${bare.ratio.toFixed(2)}× a bare \`encodeReply\``);
    expect(intro).toContain(`${flight.ratio.toFixed(2)}× (a`);
  });
});

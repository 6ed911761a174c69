// Generates the compiler benchmark's inputs: TSX modules of about 200 and 2,000 lines carrying
// 0, 5 or 40 directive functions. Written at run time into bench/.out/inputs (gitignored).
//
// The code is what a React Server Components app looks like: interfaces, enums, helpers, classes
// and components, with the directive functions spread evenly through it. Directive functions
// come in every shape the compiler handles: module-level `'use cache'` declarations and arrows,
// inline `'use cache'` closures capturing props and locals (also two functions deep, with
// `'use cache: remote'`), inline `'use server'` actions in JSX attributes, and files with a
// file-level `'use cache'` whose exports are all cached. Output is deterministic.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const HEADER = [
  "import * as React from 'react';",
  "import { cacheLife, cacheTag } from 'babel-plugin-use-cache/runtime';",
  "import { db, getCurrency } from './data';",
  "import type { Session } from './session';",
  '',
  'interface Item {',
  '  id: string;',
  '  name: string;',
  '  price: number;',
  '  tags: readonly string[];',
  '}',
  '',
];

// Ordinary code, no directive. `exp` is 'export ' or '' (a file-level 'use cache' file may only
// export async functions).
const FILLER = [
  (i, exp) => [
    `${exp}interface Product${i} extends Item {`,
    '  owner?: { id: string; email: string };',
    '  variants: Array<{ sku: string; stock: number }>;',
    '}',
    '',
    `${exp}type Product${i}Map = Record<string, Product${i}>;`,
  ],
  (i, exp) => [
    `${exp}function formatPrice${i}(value: number, currency: string = 'EUR'): string {`,
    '  const rounded = Math.round(value * 100) / 100;',
    '  if (Number.isNaN(rounded)) {',
    "    return '-';",
    '  }',
    "  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(rounded);",
    '}',
  ],
  (i, exp) => [
    `${exp}function Row${i}({ item, session }: { item: Item; session?: Session }) {`,
    '  const label = item.name.trim();',
    '  return (',
    '    <tr className="row" data-id={item.id}>',
    '      <td>{label}</td>',
    '      <td>{item.tags.map((tag) => <span key={tag}>{tag}</span>)}</td>',
    `      <td>{session ? <a href={'/edit/' + item.id}>Edit</a> : null}</td>`,
    '    </tr>',
    '  );',
    '}',
  ],
  (i, exp) => [
    `${exp}class Store${i}<T extends { id: string }> {`,
    '  private items = new Map<string, T>();',
    '  add(item: T): void {',
    '    this.items.set(item.id, item);',
    '  }',
    '  get(id: string): T | undefined {',
    '    return this.items.get(id);',
    '  }',
    '}',
  ],
  (i, exp) => [
    `${exp}enum Status${i} {`,
    "  Active = 'active',",
    "  Archived = 'archived',",
    '}',
    `${exp}const DEFAULTS_${i} = { status: Status${i}.Active, limit: 20, offset: 0 } as const;`,
  ],
];

// Functions carrying a directive of their own (for files without a file-level directive).
const INLINE_DIRECTIVES = [
  (i) => [
    `export async function getProduct${i}(id: string, locale: string): Promise<Item> {`,
    "  'use cache';",
    `  cacheTag('product-' + id);`,
    '  return db.product.find(id, { locale });',
    '}',
  ],
  (i) => [
    `export async function Prices${i}({ product }: { product: Item }) {`,
    '  const currency = await getCurrency();',
    "  const load = async (day: number) => { 'use cache'; return db.price(product.id, currency, day); };",
    '  return <span>{await load(0)}</span>;',
    '}',
  ],
  (i) => [
    `export async function Rename${i}({ user }: { user: { id: string; name: string } }) {`,
    '  return (',
    "    <form action={async (data: FormData) => { 'use server'; await db.rename(user.id, data.get('name')); }}>",
    '      <input name="name" defaultValue={user.name} />',
    '    </form>',
    '  );',
    '}',
  ],
  (i) => [
    `export function loaders${i}(tenant: { id: string; region: string }) {`,
    '  return function forUser(userId: string) {',
    "    return async function orders(status: string) { 'use cache: remote'; return db.orders(tenant.id, userId, status); };",
    '  };',
    '}',
  ],
  (i) => [
    `export const getStats${i} = async (from: number, to: number) => {`,
    "  'use cache';",
    "  cacheLife('minutes');",
    '  return db.stats(from, to);',
    '};',
  ],
];

// Exports of a file-level 'use cache' file (each one becomes a cached function).
const FILE_LEVEL_EXPORTS = [
  (i) => [
    `export async function getReport${i}(id: string, from: number): Promise<unknown[]> {`,
    `  cacheTag('report-' + id);`,
    '  return db.report(id, from);',
    '}',
  ],
  (i) => [
    `export const getCount${i} = async (kind: string) => {`,
    "  cacheLife('hours');",
    '  return db.count(kind);',
    '};',
  ],
];

/**
 * One module of about `lines` lines with `directives` directive functions.
 * `level` is 'inline' (functions with their own directive) or 'file' (file-level 'use cache').
 */
export function generateModule({ lines, directives, level = 'inline' }) {
  const fileLevel = level === 'file';
  const head = fileLevel ? ["'use cache';", '', ...HEADER] : HEADER;
  const shapes = fileLevel ? FILE_LEVEL_EXPORTS : INLINE_DIRECTIVES;
  const directiveUnits = Array.from({ length: directives }, (_, i) => shapes[i % shapes.length](i));
  const directiveLines = directiveUnits.reduce((n, unit) => n + unit.length + 1, 0);

  const fillerUnits = [];
  let total = head.length + directiveLines;
  for (let i = 0; total < lines; i++) {
    const unit = FILLER[i % FILLER.length](i, fileLevel ? '' : 'export ');
    fillerUnits.push(unit);
    total += unit.length + 1;
  }

  // Spread the directive functions evenly between the filler units.
  const body = [];
  const slots = fillerUnits.length + 1;
  let next = 0;
  for (let slot = 0; slot < slots; slot++) {
    const until = Math.round(((slot + 1) * directiveUnits.length) / slots);
    while (next < until) body.push(directiveUnits[next++], ['']);
    if (slot < fillerUnits.length) body.push(fillerUnits[slot], ['']);
  }
  return [...head, ...body.flat()].join('\n');
}

/** The benchmark matrix. */
export const INPUTS = [
  { lines: 200, directives: 0, level: 'inline' },
  { lines: 200, directives: 5, level: 'inline' },
  { lines: 200, directives: 40, level: 'inline' },
  { lines: 200, directives: 40, level: 'file' },
  { lines: 2000, directives: 0, level: 'inline' },
  { lines: 2000, directives: 5, level: 'inline' },
  { lines: 2000, directives: 40, level: 'inline' },
  { lines: 2000, directives: 40, level: 'file' },
];

/** Write every input into `dir`; returns `[{ name, file, code, lines, directives, level }]`. */
export function writeInputs(dir) {
  mkdirSync(dir, { recursive: true });
  return INPUTS.map((input) => {
    const code = generateModule(input);
    const base = `${input.lines}-lines-${input.directives}-${input.level}`;
    const file = path.join(dir, `${base}.tsx`);
    writeFileSync(file, code);
    const name =
      input.directives === 0
        ? `${input.lines} lines, no directive`
        : `${input.lines} lines, ${input.directives} ${input.level === 'file' ? 'file-level exports' : 'inline/function directives'}`;
    return { ...input, name, file, code, actualLines: code.split('\n').length };
  });
}

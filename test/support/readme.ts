// README.md read as data: its sections, code blocks and the files its Quick start tells a reader
// to create. The starter test and the recipe tests run what the docs show, taken from here, so
// the docs and what is tested cannot drift apart.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export function readDoc(relativePath: string): string {
  return readFileSync(new URL(`../../${relativePath}`, import.meta.url), 'utf8');
}

/** The text under the heading `## title` (or `### title`), up to the next heading of that level or higher. */
export function section(markdown: string, title: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^#{2,3} /.test(line) && line.replace(/^#+ /, '') === title);
  if (start < 0) throw new Error(`no section "${title}"`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  let end = start + 1;
  while (end < lines.length && !(/^#+ /.test(lines[end]!) && /^#+/.exec(lines[end]!)![0].length <= level)) end++;
  return lines.slice(start + 1, end).join('\n');
}

export interface CodeBlock {
  lang: string;
  code: string;
  /** The paragraph just before the block. */
  before: string;
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const pattern = /(?:^|\n)```(\w*)[^\n]*\n([\s\S]*?)\n```/g;
  for (const match of markdown.matchAll(pattern)) {
    const preceding = markdown.slice(0, match.index).trimEnd();
    const before = preceding.slice(preceding.lastIndexOf('\n\n') + 1).trim();
    blocks.push({ lang: match[1]!, code: match[2]! + '\n', before });
  }
  return blocks;
}

/** Blocks introduced by a paragraph that starts with a file name in backticks: `src/db.ts`, ... */
export function filesOf(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const block of codeBlocks(markdown)) {
    const name = /^`([\w./-]+\.\w+)`/.exec(block.before)?.[1];
    if (name !== undefined) files.set(name, block.code);
  }
  return files;
}

/** The commands of the `sh` blocks, one per line, comments removed. */
export function commandsOf(markdown: string): string[] {
  return codeBlocks(markdown)
    .filter((block) => block.lang === 'sh')
    .flatMap((block) => block.code.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

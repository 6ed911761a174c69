// Every relative link in README.md, docs/ and bench/README.md resolves: the file exists and, for
// `#anchor` links, the target has a heading with that anchor (GitHub's slugs).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/readme.js';

const DOCS = [
  'README.md',
  'bench/README.md',
  ...readdirSync(path.join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown without fenced code blocks and inline code (links there are examples, not links). */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const [, heading] of withoutCode.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const text = heading!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').toLowerCase();
    const slug = text.replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function linksOf(markdown: string): string[] {
  const links: string[] = [];
  for (const [, target] of prose(markdown).matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    links.push(target!);
  }
  for (const [, target] of prose(markdown).matchAll(/^\[[^\]]+\]:\s+(\S+)/gm)) links.push(target!);
  return links;
}

describe('documentation links', () => {
  it('finds the documents and their links', () => {
    expect(DOCS.length).toBeGreaterThan(8);
    expect(linksOf(readFileSync(path.join(REPO, 'README.md'), 'utf8')).length).toBeGreaterThan(10);
  });

  it('slugs like GitHub', () => {
    expect([
      ...anchorsOf(
        '## Runtime: hit, miss, stale serve, concurrency\n## `use-cache transform <file|-> [options]`\n## A\n## A',
      ),
    ]).toEqual(['runtime-hit-miss-stale-serve-concurrency', 'use-cache-transform-file--options', 'a', 'a-1']);
  });

  for (const doc of DOCS) {
    it(`${doc}: every relative link and anchor resolves`, () => {
      const source = readFileSync(path.join(REPO, doc), 'utf8');
      const broken: string[] = [];
      for (const link of linksOf(source)) {
        if (/^[a-z][a-z+.-]*:/i.test(link)) continue; // https:, mailto:
        const [file, anchor] = link.split('#') as [string, string | undefined];
        const target =
          file === ''
            ? path.join(REPO, doc)
            : path.resolve(path.dirname(path.join(REPO, doc)), decodeURIComponent(file));
        if (!target.startsWith(REPO) || !existsSync(target)) {
          broken.push(`${link}: no such file`);
          continue;
        }
        if (anchor === undefined || anchor === '') continue;
        if (statSync(target).isDirectory() || !target.endsWith('.md')) {
          broken.push(`${link}: an anchor into a file that is not Markdown`);
          continue;
        }
        if (!anchorsOf(readFileSync(target, 'utf8')).has(anchor)) broken.push(`${link}: no heading with this anchor`);
      }
      expect(broken).toEqual([]);
    });
  }
});

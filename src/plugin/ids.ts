// Stable reference ids and collision-free generated names.
// An id only depends on the salt, the path relative to Babel's root and the export name, so the
// same source compiled on two machines in two folders yields the same ids (see
// docs/runtime-contract.md).
import * as crypto from 'node:crypto';
import { isAbsolute, relative } from 'node:path';

// `crypto.hash` (Node >= 20.12) is several times faster than createHash for short inputs.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function referenceId(hashSalt: string, relativePath: string, exportName: string): string {
  const input = `${hashSalt}\0${relativePath}\0${exportName}`;
  return oneShot ? oneShot('sha256', input, 'hex') : crypto.createHash('sha256').update(input).digest('hex');
}

/** The file path relative to `root`, always with `/` separators; never absolute. */
export function relativeFilePath(filename: string | null | undefined, root: string): string {
  if (!filename) return '<unknown>';
  const rel = isAbsolute(filename) ? relative(root, filename) : filename;
  return rel.replace(/\\/g, '/');
}

/**
 * Hands out names that appear nowhere in the source text (so no identifier of the file uses them)
 * and were not handed out before, so generated bindings (`$$cache_0`, `cacheFunction`, `$$c0`)
 * never shadow or clash with user code. Deterministic: the same file always gets the same names.
 */
export class NameAllocator {
  private readonly taken = new Set<string>();
  /** Answers of `source.includes(name)`: each one scans the whole file, and names repeat. */
  private readonly inSource = new Map<string, boolean>();
  /** Most generated names start with `$$`; in a file without `$$` they are all free. */
  private readonly hasDoubleDollar: boolean;

  constructor(private readonly source: string) {
    this.hasDoubleDollar = source.includes('$$');
  }

  private used(name: string): boolean {
    if (!this.hasDoubleDollar && name.startsWith('$$')) return false;
    let found = this.inSource.get(name);
    if (found === undefined) this.inSource.set(name, (found = this.source.includes(name)));
    return found;
  }

  /** A name for a new module-level binding: unique in the file. */
  take(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name) || this.used(name); i++) name = `${base}$${i}`;
    this.taken.add(name);
    return name;
  }

  /** A name for a parameter or local: only needs to be absent from the source. */
  local(base: string): string {
    let name = base;
    for (let i = 1; this.used(name); i++) name = `${base}$${i}`;
    return name;
  }
}

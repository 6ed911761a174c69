// Stable reference ids and collision-free generated names.
// An id only depends on the salt, the path relative to Babel's root and the export name, so the
// same source compiled on two machines in two folders yields the same ids (see
// docs/compiled-output.md).
import { createHash } from 'node:crypto';
import { isAbsolute, relative } from 'node:path';

export function referenceId(hashSalt: string, relativePath: string, exportName: string): string {
  return createHash('sha256').update(`${hashSalt}\0${relativePath}\0${exportName}`).digest('hex');
}

/** The file path relative to `root`, always with `/` separators; never absolute. */
export function relativeFilePath(filename: string | null | undefined, root: string): string {
  if (!filename) return '<unknown>';
  const rel = isAbsolute(filename) ? relative(root, filename) : filename;
  return rel.replace(/\\/g, '/');
}

/**
 * Hands out names that no identifier of the file uses yet, so generated bindings (`$$cache_0`,
 * `cacheFunction`, `$$c0`) never shadow or clash with user code. Deterministic: the same file
 * always gets the same names.
 */
export class NameAllocator {
  constructor(private readonly used: Set<string>) {}

  take(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}$${i}`;
    this.used.add(name);
    return name;
  }
}

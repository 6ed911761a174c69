// Stable reference ids.
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

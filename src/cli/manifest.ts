// The server-reference manifest: `{ [id]: { file, exportName, kind } }`, what a framework needs to
// find the module and export behind an id.
import type { ServerReference } from './compile.js';

export interface ManifestEntry {
  /** Path of the module relative to the root, with `/` separators. */
  file: string;
  exportName: string;
  kind: 'cache' | 'server';
}

export type Manifest = Record<string, ManifestEntry>;

/** Sorted by file, then in the order the plugin reported the references: stable output. */
export function buildManifest(files: Array<{ file: string; references: ServerReference[] }>): Manifest {
  const manifest: Manifest = {};
  const sorted = [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const { file, references } of sorted) {
    for (const { id, exportName, kind } of references) manifest[id] = { file, exportName, kind };
  }
  return manifest;
}

/** `existing` with the entries of `file` replaced by `references` (for `transform --manifest`). */
export function mergeManifest(existing: Manifest, file: string, references: ServerReference[]): Manifest {
  const byFile = new Map<string, ServerReference[]>();
  for (const [id, entry] of Object.entries(existing)) {
    if (entry.file === file) continue;
    const list = byFile.get(entry.file) ?? [];
    list.push({ id, exportName: entry.exportName, kind: entry.kind } as ServerReference);
    byFile.set(entry.file, list);
  }
  byFile.set(file, references);
  return buildManifest([...byFile].map(([name, refs]) => ({ file: name, references: refs })));
}

export function parseManifest(text: string, name: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${name} is not a JSON manifest: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${name} is not a JSON manifest (expected an object keyed by id)`);
  }
  for (const [id, entry] of Object.entries(value)) {
    const e = entry as Partial<ManifestEntry> | null;
    if (
      !e ||
      typeof e.file !== 'string' ||
      typeof e.exportName !== 'string' ||
      (e.kind !== 'cache' && e.kind !== 'server')
    ) {
      throw new Error(`${name} is not a use-cache manifest (entry ${JSON.stringify(id)} is malformed)`);
    }
  }
  return value as Manifest;
}

export function formatManifest(manifest: Manifest): string {
  return JSON.stringify(manifest, null, 2) + '\n';
}

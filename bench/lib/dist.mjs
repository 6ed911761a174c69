// Where the built package is, and loading pieces of it that may not have landed yet.
//
// Benchmarks measure the BUILT package (`dist/`, what `npm run build` produces and users install).
// USE_CACHE_DIST points elsewhere (e.g. a private build while others rebuild dist/).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const outDir = path.join(repoRoot, 'bench/.out');
export const distDir = path.resolve(repoRoot, process.env.USE_CACHE_DIST || 'dist');

export function distPath(relative) {
  return path.join(distDir, relative);
}

/**
 * Import `dist/<relative>` and check it has the named functions.
 * Returns `{ module }` or `{ missing: reason }`, never throws.
 */
export async function loadDist(relative, names = []) {
  const file = distPath(relative);
  if (!existsSync(file)) return { missing: `${path.relative(repoRoot, file)} not built` };
  let module;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    return { missing: `${path.relative(repoRoot, file)} fails to load: ${firstLine(error)}` };
  }
  const absent = names.filter((name) => typeof module[name] !== 'function');
  if (absent.length) return { missing: `${absent.join(', ')} not exported by ${relative}` };
  return { module };
}

export function firstLine(error) {
  return String(error?.message ?? error)
    .split('\n')[0]
    .slice(0, 160);
}

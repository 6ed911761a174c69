// Plugin options: parsed once per plugin instance. Bad options fail loudly with the option name
// and the expected type, because a silently ignored typo (`layers: 'client'`) would compile the
// wrong layer without anyone noticing.
import { Codes, formatMessage } from './diagnostics.js';

export type Layer = 'server' | 'client';

/** The directives the plugin can compile (`'use cache'` covers every `'use cache: <kind>'`). */
export type CompiledDirective = 'use cache' | 'use server';
const COMPILABLE: readonly CompiledDirective[] = ['use cache', 'use server'];

export interface PluginOptions {
  layer: Layer;
  runtime: string;
  hashSalt: string;
  cacheKinds: readonly string[];
  nextCompat: boolean;
  /**
   * Which directives this plugin compiles. The others are left in the output as written, for
   * another tool (Vite's @vitejs/plugin-rsc compiles 'use server' itself).
   */
  directives: readonly CompiledDirective[];
}

export const BUILTIN_CACHE_KINDS = ['default', 'remote', 'private'] as const;

const DEFAULT_RUNTIME: Record<Layer, string> = {
  server: 'babel-plugin-use-cache/runtime',
  client: 'babel-plugin-use-cache/client',
};

const KNOWN = ['layer', 'runtime', 'hashSalt', 'cacheKinds', 'nextCompat', 'directives'];
const KIND_NAME = /^[A-Za-z0-9_-]+$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (${typeof value})`;
}

function invalid(name: string, expected: string, value: unknown): Error {
  return new Error(
    formatMessage(
      Codes.invalidOption,
      `babel-plugin-use-cache: option "${name}" must be ${expected}, got ${describe(value)}.`,
    ),
  );
}

export function parseOptions(raw: unknown): PluginOptions {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('(options)', 'an object', raw);
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!KNOWN.includes(key)) {
      throw new Error(
        formatMessage(
          Codes.invalidOption,
          `babel-plugin-use-cache: unknown option "${key}". Known options: ${KNOWN.join(', ')}.`,
        ),
      );
    }
  }

  const layer = input.layer ?? 'server';
  if (layer !== 'server' && layer !== 'client') throw invalid('layer', `"server" or "client"`, layer);

  const runtime = input.runtime ?? DEFAULT_RUNTIME[layer];
  if (typeof runtime !== 'string' || runtime === '')
    throw invalid('runtime', 'a non-empty string (a module specifier)', runtime);

  const hashSalt = input.hashSalt ?? '';
  if (typeof hashSalt !== 'string') throw invalid('hashSalt', 'a string', hashSalt);

  const cacheKinds = input.cacheKinds ?? [];
  if (!Array.isArray(cacheKinds) || !cacheKinds.every((k) => typeof k === 'string' && KIND_NAME.test(k))) {
    throw invalid('cacheKinds', 'an array of kind names (letters, digits, "_" and "-")', cacheKinds);
  }

  const nextCompat = input.nextCompat ?? true;
  if (typeof nextCompat !== 'boolean') throw invalid('nextCompat', 'a boolean', nextCompat);

  const directives = input.directives ?? COMPILABLE;
  if (
    !Array.isArray(directives) ||
    directives.length === 0 ||
    !directives.every((d) => (COMPILABLE as readonly unknown[]).includes(d))
  ) {
    throw invalid('directives', `a non-empty array of ${COMPILABLE.map((d) => `"${d}"`).join(' and ')}`, directives);
  }

  return {
    layer,
    runtime,
    hashSalt,
    cacheKinds: [...cacheKinds] as string[],
    nextCompat,
    directives: [...new Set(directives as CompiledDirective[])],
  };
}

export function allowedCacheKinds(options: PluginOptions): string[] {
  return [
    ...BUILTIN_CACHE_KINDS,
    ...options.cacheKinds.filter((k) => !(BUILTIN_CACHE_KINDS as readonly string[]).includes(k)),
  ];
}

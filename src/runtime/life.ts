/**
 * Cache lives: the built-in profiles, profiles from `configureCache({ profiles })`, validation,
 * `cacheLife()` and the life an entry ends up with.
 */
import { requireScope, type CacheLife, type CacheScope } from './scope.js';

export type { CacheLife };
/** What `cacheLife()` and `configureCache({ profiles })` accept: any subset of the fields. */
export type CacheLifeInput = Partial<CacheLife>;

/**
 * The profile names `cacheLife(name)` accepts, so a typo (`cacheLife('hourz')`) fails type
 * checking. Custom profiles from `configureCache({ profiles })` are added by declaration merging:
 *
 *     declare module 'babel-plugin-use-cache/runtime' {
 *       interface CacheProfiles { blog: true }
 *     }
 */
export interface CacheProfiles {
  default: true;
  seconds: true;
  minutes: true;
  hours: true;
  days: true;
  weeks: true;
  max: true;
}
export type CacheProfileName = keyof CacheProfiles & string;

/** "Never" in seconds (about 136 years), the value stored for an unbounded `expire`. */
export const NEVER = 0xfffffffe;

/** The seven built-in profiles, in seconds (the same numbers as Next.js). */
export const BUILTIN_PROFILES: Readonly<Record<string, Readonly<CacheLife>>> = Object.freeze({
  default: { stale: 300, revalidate: 900, expire: NEVER },
  seconds: { stale: 30, revalidate: 1, expire: 60 },
  minutes: { stale: 300, revalidate: 60, expire: 3600 },
  hours: { stale: 300, revalidate: 3600, expire: 86400 },
  days: { stale: 300, revalidate: 86400, expire: 604800 },
  weeks: { stale: 300, revalidate: 604800, expire: 2592000 },
  max: { stale: 300, revalidate: 2592000, expire: 31536000 },
});

const FIELDS = ['stale', 'revalidate', 'expire'] as const;

let profiles: Record<string, CacheLife> = { ...BUILTIN_PROFILES };

/**
 * Install custom profiles and overrides of the built-ins (`configureCache({ profiles })`);
 * `undefined` restores the built-ins.
 * Missing fields come from the built-in profile of the same name, else from `default`.
 * Validates everything before changing anything.
 */
export function setProfiles(custom: Record<string, CacheLifeInput> | undefined): void {
  profiles = compileProfiles(custom);
}

/** The full profile table for `custom` (validated), without installing it. */
export function compileProfiles(custom: Record<string, CacheLifeInput> | undefined): Record<string, CacheLife> {
  if (custom !== undefined && (typeof custom !== 'object' || custom === null || Array.isArray(custom))) {
    throw new TypeError('configureCache: profiles must be an object of { name: { stale?, revalidate?, expire? } }.');
  }
  const next: Record<string, CacheLife> = { ...BUILTIN_PROFILES };
  const entries = Object.entries(custom ?? {});
  // `default` first: other profiles fill their missing fields from it.
  entries.sort(([a], [b]) => Number(b === 'default') - Number(a === 'default'));
  for (const [name, input] of entries) {
    const given = validateLife(input, `profile "${name}"`);
    const base = BUILTIN_PROFILES[name] ?? next.default!;
    next[name] = complete(given, base);
    if (next[name]!.expire < next[name]!.revalidate) {
      throw new Error(
        `configureCache: profile "${name}" has expire (${next[name]!.expire}) < revalidate ` +
          `(${next[name]!.revalidate}).`,
      );
    }
  }
  return next;
}

export function installProfiles(table: Record<string, CacheLife>): void {
  profiles = table;
}

/** The profile named `name`, built-in or configured, or `undefined`. */
export function findProfile(name: string): CacheLife | undefined {
  return Object.hasOwn(profiles, name) ? profiles[name] : undefined;
}

export function profileNames(): string[] {
  return Object.keys(profiles);
}

export function getProfile(name: string): CacheLife {
  const profile = findProfile(name);
  if (profile === undefined) {
    throw new Error(
      `cacheLife("${name}"): unknown profile. Known profiles: ${Object.keys(profiles).join(', ')}. ` +
        `Add custom ones with configureCache({ profiles: { ${JSON.stringify(name)}: { revalidate, expire } } }).`,
    );
  }
  return profile;
}

/** Checks the fields that are given (numbers >= 0; Infinity means never) and returns them. */
export function validateLife(input: unknown, what: string): CacheLifeInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(`${what}: expected an object like { stale, revalidate, expire } (seconds).`);
  }
  const out: CacheLifeInput = {};
  for (const key of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new TypeError(`${what}: unknown field "${key}" (expected stale, revalidate, expire).`);
    }
  }
  for (const field of FIELDS) {
    const value = (input as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new TypeError(`${what}: ${field} must be a number of seconds >= 0, got ${String(value)}.`);
    }
    out[field] = value > NEVER ? NEVER : value;
  }
  if (out.expire !== undefined && out.revalidate !== undefined && out.expire < out.revalidate) {
    throw new Error(`${what}: expire (${out.expire}) must not be less than revalidate (${out.revalidate}).`);
  }
  return out;
}

function complete(given: CacheLifeInput, base: CacheLife): CacheLife {
  return {
    stale: given.stale ?? base.stale,
    revalidate: given.revalidate ?? base.revalidate,
    expire: given.expire ?? base.expire,
  };
}

/**
 * Set the life of the enclosing cached function: a profile name or `{ stale?, revalidate?,
 * expire? }` in seconds. Several calls in one function keep, per field, the shortest.
 */
export function cacheLife(profile: CacheProfileName | CacheLifeInput): void {
  const scope = requireScope('cacheLife');
  const given = typeof profile === 'string' ? getProfile(profile) : validateLife(profile, 'cacheLife');
  const explicit = (scope.explicit ??= {});
  for (const field of FIELDS) {
    const value = given[field];
    if (value === undefined) continue;
    const current = explicit[field];
    if (current === undefined || value < current) explicit[field] = value;
  }
}

/**
 * The life a finished scope's entry gets: per field, the explicit `cacheLife` value if one was
 * given, else the minimum of the `default` profile and the lives of the caches called inside.
 * `revalidate` never exceeds `expire`.
 */
export function scopeLife(scope: CacheScope): CacheLife {
  const base = profiles.default!;
  const { explicit, inner } = scope;
  const pick = (field: (typeof FIELDS)[number]): number =>
    explicit?.[field] ?? (inner !== undefined ? Math.min(base[field], inner[field]) : base[field]);
  const expire = pick('expire');
  return { stale: pick('stale'), revalidate: Math.min(pick('revalidate'), expire), expire };
}

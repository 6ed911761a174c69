// Collision-free names for the bindings the compiler generates.
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

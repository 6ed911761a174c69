/**
 * The writes a handler has started and not finished, so that `close()` waits for them: a process
 * that stores a value and then closes its handler (or exits after `flush()`) keeps the write.
 */
export class InFlightWrites {
  private readonly pending = new Set<Promise<unknown>>();

  /** Wrap a write method: each call is tracked until it settles. */
  wrap<A extends unknown[]>(write: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
    return (...args) => {
      const promise = write(...args);
      this.pending.add(promise);
      const done = (): void => void this.pending.delete(promise);
      promise.then(done, done);
      return promise;
    };
  }

  /** Resolves once every write started so far (and any started meanwhile) has settled. */
  async settled(): Promise<void> {
    while (this.pending.size !== 0) await Promise.allSettled(this.pending);
  }
}

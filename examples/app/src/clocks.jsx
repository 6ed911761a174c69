// Cached server components. Each one is compiled by the plugin into a `cacheFunction(...)` call:
// the first request renders it and stores the Flight bytes; later requests are cache hits and show
// the time of that first render.
import { cacheLife, cacheTag } from 'babel-plugin-use-cache/runtime';
import { Stamp } from './Stamp.jsx';

/** Tagged with "clock": the button's Server Action calls revalidateTag('clock'). */
export async function TaggedClock() {
  'use cache';
  cacheLife('hours');
  cacheTag('clock');
  return <Stamp testId="tagged-time" label="Tagged clock (cacheTag 'clock')" at={new Date().toISOString()} />;
}

/** Same life, no tag: revalidating "clock" must leave it alone. */
export async function UntaggedClock() {
  'use cache';
  cacheLife('hours');
  return <Stamp testId="untagged-time" label="Untagged clock" at={new Date().toISOString()} />;
}

/**
 * A cached shell around children it does not own. `children` is an opaque slot in the cache key
 * and in the stored value, so the shell keeps its time while the children render on every request.
 */
export async function CachedShell({ children }) {
  'use cache';
  cacheLife('hours');
  return (
    <div className="shell" data-testid="shell">
      <Stamp testId="shell-time" label="Cached shell" at={new Date().toISOString()} />
      <div className="shell-children">{children}</div>
    </div>
  );
}

/** Not cached: rendered on every request, passed into CachedShell as children. */
export function FreshTime() {
  return <Stamp testId="fresh-time" label="Fresh child (not cached)" at={new Date().toISOString()} />;
}

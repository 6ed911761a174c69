// 'use cache' (compiled by babel-plugin-use-cache) and an inline 'use server' (compiled by
// @vitejs/plugin-rsc) in one file.
import { cacheLife, cacheTag, revalidateTag } from 'babel-plugin-use-cache/runtime';
import { Counter } from './Counter.jsx';
import { RefreshButton } from './RefreshButton.jsx';

/** Rendered once, then served from the cache until its tag is revalidated (or a day passes). */
async function CachedClock() {
  'use cache';
  cacheLife('hours');
  cacheTag('clock');
  const renderedAt = new Date().toISOString();
  return (
    <section>
      <p>
        Cached at <time data-testid="cached-time">{renderedAt}</time>
      </p>
      {/* A client component inside the cached one: stored as a client reference. */}
      <Counter />
    </section>
  );
}

export function Clock() {
  async function refreshClock() {
    'use server';
    await revalidateTag('clock', { expire: 0 }); // every entry tagged 'clock' is recomputed on its next read
  }
  return (
    <>
      <CachedClock />
      <RefreshButton action={refreshClock} />
    </>
  );
}

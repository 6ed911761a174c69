// A second (third, ...) Node process using a handler: reads JSON commands, one a line, on stdin
// and answers each with one JSON line on stdout. Values travel as hex.
//   node peer.mjs <handler module> <factory name> <options JSON>
import { serve } from './serve.mjs';

const [modulePath, factory, optionsJson] = process.argv.slice(2);
const handlers = await import(modulePath);
const handler = handlers[factory](JSON.parse(optionsJson));

const toEntry = (e) => ({ ...e, value: Buffer.from(e.value, 'hex'), expire: e.expire ?? 3600 });
const fromEntry = (e) => (e ? { ...e, value: Buffer.from(e.value).toString('hex') } : null);

/** Many writes and reads of a few shared keys; counts reads that are not an intact value. */
async function stress({ writer, keys, rounds, bytes }) {
  let hits = 0,
    misses = 0,
    bad = 0;
  for (let i = 0; i < rounds; i++) {
    const key = `k${(i * 7 + writer) % keys}`;
    const body = Buffer.alloc(bytes + (i % 13) * 101, `${key}|${writer}|${i}|`);
    await handler.set(key, {
      value: body,
      tags: [key, `w${writer}`],
      timestamp: i,
      stale: 1,
      revalidate: 2,
      expire: 3600,
    });
    const other = `k${(i * 3 + 1) % keys}`;
    const got = await handler.get(other);
    if (!got) {
      misses++;
      continue;
    }
    hits++;
    const text = Buffer.from(got.value).toString();
    const [k, w, n] = text.split('|');
    const expected = Buffer.alloc(got.value.length, `${k}|${w}|${n}|`).toString();
    if (k !== other || text !== expected || !got.tags.includes(other)) bad++;
    if (i % 10 === 0) await handler.updateTags([`w${writer}`, 'shared'], Date.now());
  }
  return { hits, misses, bad };
}

const ops = {
  get: async ({ key }) => fromEntry(await handler.get(key)),
  set: async ({ key, entry }) => handler.set(key, toEntry(entry)),
  getTagTimes: ({ tags }) => handler.getTagTimes(tags),
  /** The latest `expired` time over `tags`. */
  expiration: async ({ tags }) => Math.max(0, ...(await handler.getTagTimes(tags)).map((t) => t.expired)),
  updateTags: ({ tags, timestamp, durations }) => handler.updateTags(tags, timestamp, durations),
  stress,
  close: async () => {
    await handler.close?.();
    setImmediate(() => process.exit(0));
  },
};

serve(ops);

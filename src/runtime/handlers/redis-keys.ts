/**
 * Where the Redis handler puts its keys, standalone and on Redis Cluster.
 *
 * Standalone, one namespace: `<prefix>e:<key>` (entries), `<prefix>t:<tag>` (tag times),
 * `<prefix>l:<key>` (fill leases).
 *
 * On a cluster the keys are spread over `shards` namespaces `<prefix>{<s>}`, each a Redis hash
 * tag that pins it to one slot: an entry, its lease and the copies of its tags' times that a hit
 * reads with it share a slot, so a hit stays one single-slot script (one round trip) and nothing
 * ever runs across slots. A tag's time is written to every shard (`revalidateTag` reaches every
 * slot: one small script per shard, sent in parallel). The shards' slots are spaced evenly over
 * the 16384 slots, so each master holds shards in proportion to the slots it serves.
 */

export interface KeyLayout {
  /** The namespace (`<prefix>` or `<prefix>{<s>}`) of the shard holding `key`. */
  shardOf(key: string): string;
  /** Every namespace (one when standalone). */
  readonly shards: readonly string[];
}

export function standaloneLayout(prefix: string): KeyLayout {
  const shards = [prefix];
  return { shards, shardOf: () => prefix };
}

export function clusterLayout(prefix: string, count: number): KeyLayout {
  if (!(Number.isInteger(count) && count >= 1 && count <= 1024)) {
    throw new TypeError('createRedisHandler: clusterShards must be an integer from 1 to 1024');
  }
  const shards = shardTags(count).map((tag) => `${prefix}{${tag}}`);
  return { shards, shardOf: (key) => shards[fnv1a(key) % count]! };
}

/** `count` short hash tags, the i-th landing in the i-th of `count` equal slot ranges. */
function shardTags(count: number): string[] {
  const tags: string[] = [];
  let candidate = 0;
  for (let i = 0; i < count; i++) {
    const low = Math.floor((i * 16384) / count);
    const high = Math.floor(((i + 1) * 16384) / count);
    for (;;) {
      const tag = `uc${(candidate++).toString(36)}`;
      const slot = keySlot(tag);
      if (slot >= low && slot < high) {
        tags.push(tag);
        candidate = 0;
        break;
      }
    }
  }
  return tags;
}

/** Redis Cluster's slot of a key without a hash tag: CRC16-XMODEM mod 16384. */
export function keySlot(key: string): number {
  let crc = 0;
  for (const byte of Buffer.from(key, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/** 32-bit FNV-1a of the UTF-16 code units: a cheap, stable spread of keys over shards. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

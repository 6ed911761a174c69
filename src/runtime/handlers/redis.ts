/**
 * Redis cache handler: entries shared by every instance that points at the same Redis.
 *
 * Keys (all under `prefix`, default `use-cache:`):
 * - `<prefix>e:<cache key>`: one entry, a Redis string with a TTL from the entry's `expire`.
 * - `<prefix>t:<escaped tag>`: one tag's revalidation times, `"<expired> <stale>"` (ms, decimal;
 *   see `tag-times.ts`).
 * The `e:` / `t:` namespaces never overlap, and tag names are percent-escaped (only
 * `A-Z a-z 0-9 . _ ~ -` are kept), so no tag can name an entry key or another tag's key.
 *
 * A stored entry is `u32 length + the entry's escaped tags joined by spaces + encodeEntry(entry)`.
 * The tag list in front lets one Lua script return the entry *and* its tags' timestamps (one
 * round trip); the runtime's `getTagTimes(entry.tags)` that follows in the same event-loop turn
 * is answered from those times (read in the same atomic script, so they are as fresh as a
 * separate MGET would be). Any other `getTagTimes` is one MGET.
 *
 * Faults: every command is bounded by `timeoutMs`; while the connection is down commands fail at
 * once (no offline queue), and ioredis reconnects in the background. All failures reject; the
 * runtime turns them into a miss / a dropped write. Corrupt entries read as a miss.
 *
 * Redis Cluster (`cluster: [urls]`, or an ioredis `Cluster` as `client`): the keys are spread
 * over hash-tagged shards (see redis-keys.ts), so that the get script only reads keys of its
 * entry's slot and every tag revalidation is written to every shard. No command spans slots and
 * none scans the key space (no KEYS, no SCAN).
 *
 * Leases (`acquireLease` / `releaseLease`, on unless `lease: false`): `<shard>l:<key>` set with
 * `SET NX PX` to a random token; released by a compare-and-delete script, so a holder whose lease
 * lapsed never deletes its successor's.
 */
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { nameHandler } from '../events.js';
import { errorMessage, handlerDebug, type DebugHook, type HandlerLog } from './handler-debug.js';
import { InFlightWrites } from './in-flight.js';
import { clusterLayout, standaloneLayout } from './redis-keys.js';
import { packEntry, storageOptions, unpackEntry, type StorageOptions } from './stored-entry.js';
import {
  addPendingUpdate,
  applyPendingUpdate,
  checkDurations,
  NEVER_REVALIDATED,
  parseTagTimes,
  type PendingTagUpdate,
  type TagDurations,
  type TagTimes,
} from './tag-times.js';
import type { CacheEntry, CacheHandler, LeaseClaim } from './types.js';

export interface RedisHandlerOptions {
  /** `redis://[:password@]host:port[/db]`; default `redis://127.0.0.1:6379`. Ignored with `client`. */
  url?: string;
  /** Redis Cluster: URLs of some of its nodes (`redis://[:password@]host:port`). Ignored with `client`. */
  cluster?: string[];
  /** An ioredis client or `Cluster` you own (the handler never closes it). */
  client?: Redis | Cluster;
  /** On a cluster, how many slots the keys are spread over (see redis-keys.ts). Default 16. */
  clusterShards?: number;
  /** Namespace of every key this handler touches. Default `use-cache:`. */
  prefix?: string;
  /** Upper bound of every call, in ms (waiting for the first connection included). Default 500. */
  timeoutMs?: number;
  /** Longest Redis TTL given to an entry (`expire` 'never' gets this). Default 365 days. */
  maxTtlSeconds?: number;
  /**
   * Shortest TTL of a revalidated tag's key, beyond which it lives as long as its entries: covers
   * a fill that started before the revalidation and stores after it. Default one day.
   */
  tagMinTtlSeconds?: number;
  /** Extra ioredis options for the client the handler creates from `url` (and for each cluster node). */
  redisOptions?: RedisOptions;
  /** Extra ioredis `Cluster` options for the client the handler creates from `cluster`. */
  clusterOptions?: ClusterOptions;
  /** Fill leases (single flight across instances): the lease time in ms, or `false` for none. Default 5000. */
  leaseMs?: number | false;
  /** Largest value (bytes) stored; larger ones are returned to callers but not stored. Default 4 MiB. */
  maxEntryBytes?: number;
  /** Deflate entries (node:zlib) before storing them. Default false. */
  compress?: boolean;
  /** Receives debug messages; default: the runtime's debug log (`USE_CACHE_DEBUG=1`). */
  debug?: DebugHook;
}

export interface RedisCacheHandler extends CacheHandler {
  /** The ioredis client in use (for tests and diagnostics). */
  readonly client: Redis | Cluster;
  readonly maxEntryBytes: number;
  close(): Promise<void>;
}

const DEFAULT_PREFIX = 'use-cache:';
const DEFAULT_TIMEOUT_MS = 500;
const DEFAULT_MAX_TTL_SECONDS = 365 * 24 * 3600;
const DEFAULT_CLUSTER_SHARDS = 16;
const DEFAULT_TAG_MIN_TTL_SECONDS = 24 * 3600;
const DEFAULT_LEASE_MS = 5000;

/** Delete the lease KEYS[1] only if it still holds this caller's token ARGV[1]. */
const RELEASE_LEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** GET the entry; when it carries tags, MGET their timestamps in the same atomic step. */
const READ_ENTRY_WITH_TAGS = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
local len = string.len(v)
if len < 4 then return {v} end
local b1, b2, b3, b4 = string.byte(v, 1, 4)
local n = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
if n == 0 or n > len - 4 then return {v} end
local keys = {}
for t in string.gmatch(string.sub(v, 5, 4 + n), '[^ ]+') do
  keys[#keys + 1] = ARGV[1] .. t
  if #keys > 1024 then return {v} end
end
if #keys == 0 then return {v} end
return {v, redis.call('MGET', unpack(keys))}
`;
const GET_WITH_TAGS = script(READ_ENTRY_WITH_TAGS);

/**
 * Claim the lease KEYS[2] for token ARGV[2] during ARGV[3] ms (SET NX PX): 0 when another holds
 * it; else {1, what GET_WITH_TAGS returns for KEYS[1]}, the re-read a new holder needs, in the
 * same round trip (the lease and the entry share a slot).
 */
const ACQUIRE_LEASE = script(`
if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 0 end
local function read()
${READ_ENTRY_WITH_TAGS}
end
return {1, read()}
`);

/**
 * Apply one update per tag key, atomically: `updatedTagTimes` (tag-times.ts) in Lua. KEYS[i] gets
 * ARGV[2i-1] = the revalidation time and ARGV[2i] = the new deadline (ms) of a stale-marking,
 * '-' for a marking without one, or 'now' for an immediate expiry. Values are
 * `"<expired> <stale>"`; a lone number (older format, or "0" as SET_ENTRY creates it) is an expiry
 * at that time. The key's TTL (see "Tag key lifetimes" below) becomes at least ARGV[2 * #KEYS + 1] ms.
 */
const UPDATE_TAGS = script(`
local floor = tonumber(ARGV[2 * #KEYS + 1])
local function keep(k, v)
  local left = redis.call('PTTL', k)
  if left == -1 then redis.call('SET', k, v)
  elseif left >= floor then redis.call('SET', k, v, 'KEEPTTL')
  else redis.call('SET', k, v, 'PX', floor) end
end
for i, k in ipairs(KEYS) do
  local ts, op = tonumber(ARGV[2 * i - 1]), ARGV[2 * i]
  local cur = redis.call('GET', k)
  local e, s = 0, 0
  if cur then
    local sp = string.find(cur, ' ', 1, true)
    if sp then
      e, s = tonumber(string.sub(cur, 1, sp - 1)) or 0, tonumber(string.sub(cur, sp + 1)) or 0
    else
      e = tonumber(cur) or 0
      s = e
    end
  end
  if op == 'now' then
    if e > s then e = ts elseif ts > e then e = ts end
  elseif op ~= '-' then
    e = tonumber(op)
  end
  if ts > s then s = ts end
  keep(k, string.format('%.17g %.17g', e, s))
end
return #KEYS
`);

/**
 * Tag key lifetimes: a tag key lives at least as long as every entry of its shard that carries
 * the tag, so a revalidation is never forgotten while an entry it affects can still be read, and
 * tag keys leave Redis once they affect nothing (bounded storage).
 * - SET_ENTRY stores entry KEYS[1] (ARGV[1], PX ARGV[2]) and makes each tag key KEYS[2..] live at
 *   least as long (one second longer): an absent one is created as "0" (never revalidated), a
 *   shorter-lived one is extended. A tag key without a TTL (written by an older version) is left so.
 * - UPDATE_TAGS gives a tag key at least the floor (`tagMinTtlSeconds`) on top of that: an entry
 *   whose fill started before the revalidation and is stored after it finds the key and extends it.
 */
const SET_ENTRY = script(`
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
-- A second more than the entry: expiry times are kept in ms, so never a millisecond less.
local keep = ttl + 1000
for i = 2, #KEYS do
  local left = redis.call('PTTL', KEYS[i])
  if left == -2 then redis.call('SET', KEYS[i], '0', 'PX', keep)
  elseif left >= 0 and left < keep then redis.call('PEXPIRE', KEYS[i], keep) end
end
return 1
`);

export function createRedisHandler(options: RedisHandlerOptions = {}): RedisCacheHandler {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxTtlMs = (options.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS) * 1000;
  if (typeof prefix !== 'string') throw new TypeError('createRedisHandler: prefix must be a string');
  if (!(timeoutMs > 0)) throw new TypeError('createRedisHandler: timeoutMs must be a positive number');
  if (!(maxTtlMs >= 1000)) throw new TypeError('createRedisHandler: maxTtlSeconds must be at least 1');
  const tagMinTtlMs = (options.tagMinTtlSeconds ?? DEFAULT_TAG_MIN_TTL_SECONDS) * 1000;
  if (!(tagMinTtlMs >= 1000)) throw new TypeError('createRedisHandler: tagMinTtlSeconds must be at least 1');
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (leaseMs !== false && !(typeof leaseMs === 'number' && leaseMs >= 1)) {
    throw new TypeError('createRedisHandler: leaseMs must be a number of ms >= 1, or false');
  }
  const storage = storageOptions('createRedisHandler', options);
  const debug = handlerDebug('redis', options.debug);

  const ownsClient = !options.client;
  const client = options.client ?? createClient(options, timeoutMs);
  const layout = isCluster(client)
    ? clusterLayout(prefix, options.clusterShards ?? DEFAULT_CLUSTER_SHARDS)
    : standaloneLayout(prefix);

  let everReady = client.status === 'ready';
  let closed = false;
  let lastError = '';
  const onReady = () => {
    everReady = true;
    lastError = '';
    debug('connected', 'handler-recovered');
    flushPendingTags();
  };
  const onError = (error: unknown) => {
    const message = errorMessage(error);
    if (message !== lastError) debug(`connection error: ${message}`);
    lastError = message;
  };
  client.on('ready', onReady);
  if (ownsClient) client.on('error', onError);

  /** Resolves when the client can take a command; fails at once while reconnecting. */
  function whenReady(): Promise<void> | undefined {
    if (client.status === 'ready') return undefined;
    if (everReady || client.status === 'end' || client.status === 'close' || client.status === 'reconnecting') {
      return Promise.reject(new Error(`Redis is not connected (${client.status})`));
    }
    if (!firstConnection) {
      if (client.status === 'wait') client.connect().catch(() => {});
      firstConnection = new Promise((resolve) => client.once('ready', () => resolve()));
    }
    return firstConnection;
  }
  let firstConnection: Promise<void> | undefined;

  function run<T>(what: string, send: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new Error('the Redis handler is closed'));
    const waiting = whenReady();
    let timedOut = false;
    const work = waiting
      ? waiting.then(() => {
          if (timedOut) throw new Error(`${what} timed out`);
          return send();
        })
      : send();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`Redis ${what} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
          if (pendingTags.size !== 0) flushPendingTags();
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  async function evalScript(s: Script, keys: string[], args: (string | number | Buffer)[]): Promise<unknown> {
    try {
      return await client.callBuffer('EVALSHA', [s.sha, keys.length, ...keys, ...args]);
    } catch (error) {
      if (!errorMessage(error).includes('NOSCRIPT')) throw error;
      return client.callBuffer('EVAL', [s.lua, keys.length, ...keys, ...args]);
    }
  }

  /**
   * Tag times read together with an entry, for the `getTagTimes` that follows the `get`.
   * Cleared at the end of the event-loop turn, so they are never older than one network read.
   */
  const recentTags = new Map<string, TagTimes>();
  let clearScheduled = false;
  function rememberTags(escaped: string[], stamps: unknown): void {
    if (!Array.isArray(stamps) || stamps.length !== escaped.length) return;
    escaped.forEach((tag, i) => recentTags.set(tag, parseStamp(stamps[i], debug)));
    if (!clearScheduled) {
      clearScheduled = true;
      setImmediate(() => {
        clearScheduled = false;
        recentTags.clear();
      });
    }
  }

  /**
   * One script per shard (each touches only its own slot), sent together, applying `updates`
   * (escaped tag, time, durations) in order.
   */
  function writeTags(updates: readonly (readonly [string, number, TagDurations | undefined])[]): Promise<unknown> {
    const args = updates.flatMap(([, timestamp, durations]) => [
      String(timestamp),
      durations === undefined
        ? 'now'
        : durations.expire === undefined
          ? '-'
          : String(timestamp + durations.expire * 1000),
    ]);
    return run('updateTags', () =>
      Promise.all(
        layout.shards.map((shard) =>
          evalScript(
            UPDATE_TAGS,
            updates.map(([tag]) => `${shard}t:${tag}`),
            [...args, tagMinTtlMs],
          ),
        ),
      ),
    );
  }

  /** Revalidations that could not be written (Redis down or slow), retried when it answers. */
  let pendingTags = new Map<string, PendingTagUpdate>();
  function keepPending(tag: string, timestamp: number, durations?: TagDurations): void {
    pendingTags.set(tag, addPendingUpdate(pendingTags.get(tag), timestamp, durations));
  }
  let flushing = false;
  function flushPendingTags(): void {
    if (pendingTags.size === 0 || flushing || closed) return;
    flushing = true;
    const batch = pendingTags;
    pendingTags = new Map();
    const updates: [string, number, TagDurations | undefined][] = [];
    for (const [tag, { expiry, marking }] of batch) {
      if (expiry !== undefined) updates.push([tag, expiry, undefined]);
      if (marking !== undefined) updates.push([tag, marking.timestamp, marking.durations]);
    }
    writeTags(updates)
      .then(
        () => debug(`wrote ${batch.size} pending tag revalidation(s)`, 'handler-recovered'),
        (error: unknown) => {
          for (const [tag, time, durations] of updates) keepPending(tag, time, durations);
          debug(`pending tag revalidations still not written: ${errorMessage(error)}`);
        },
      )
      .finally(() => {
        flushing = false;
      });
  }

  /** The entry in a GET_WITH_TAGS reply (its tag times remembered for this turn). */
  function entryOf(key: string, reply: unknown): CacheEntry | undefined {
    if (reply == null) return undefined;
    const [stored, stamps] = Array.isArray(reply) ? (reply as unknown[]) : [];
    const parsed = Buffer.isBuffer(stored) ? parseStored(stored, storage) : undefined;
    if (!parsed) {
      debug(`corrupt entry under ${JSON.stringify(key)}: read as a miss`);
      return undefined;
    }
    rememberTags(parsed.escapedTags, stamps);
    return parsed.entry;
  }

  const writes = new InFlightWrites();
  const handler: RedisCacheHandler = {
    client,
    maxEntryBytes: storage.maxEntryBytes,

    async get(key) {
      const shard = layout.shardOf(key);
      const reply = await run('get', () => evalScript(GET_WITH_TAGS, [`${shard}e:${key}`], [`${shard}t:`]));
      return entryOf(key, reply);
    },

    async set(key, entry) {
      const ttlMs = Math.ceil(Math.min(entry.expire * 1000, maxTtlMs));
      if (!(ttlMs >= 1)) return; // already expired (or a nonsensical life): nothing to keep
      if (entry.value.byteLength > storage.maxEntryBytes) {
        debug(`value of ${entry.value.byteLength} bytes is over maxEntryBytes (${storage.maxEntryBytes}): not stored`);
        return;
      }
      const stored = await formatStored(entry, storage);
      const shard = layout.shardOf(key);
      const tagKeys = [...new Set(entry.tags.map(escapeTag))].map((tag) => `${shard}t:${tag}`);
      await run('set', () => evalScript(SET_ENTRY, [`${shard}e:${key}`, ...tagKeys], [stored, ttlMs]));
    },

    async getTagTimes(tags) {
      if (tags.length === 0) return [];
      const escaped = tags.map(escapeTag);
      let times: TagTimes[];
      if (escaped.every((tag) => recentTags.has(tag))) times = escaped.map((tag) => ({ ...recentTags.get(tag)! }));
      else {
        // Every shard holds every tag's times: read the shard of the first tag (one slot, one MGET).
        const shard = layout.shardOf(escaped[0]!);
        const stamps = await run('getTagTimes', () => client.mget(escaped.map((tag) => `${shard}t:${tag}`)));
        times = stamps.map((stamp) => parseStamp(stamp, debug));
      }
      if (pendingTags.size === 0) return times;
      // What this instance revalidated but could not write yet still applies here.
      return times.map((t, i) => {
        const pending = pendingTags.get(escaped[i]!);
        return pending === undefined ? t : applyPendingUpdate(t, pending);
      });
    },

    async updateTags(tags, timestamp, durations) {
      checkDurations(durations);
      if (tags.length === 0) return;
      const escaped = [...new Set(tags.map(escapeTag))];
      for (const tag of escaped) recentTags.delete(tag);
      try {
        await writeTags(escaped.map((tag) => [tag, timestamp, durations] as const));
      } catch (error) {
        // Keep it, and write it as soon as Redis answers again (other instances must see it).
        for (const tag of escaped) keepPending(tag, timestamp, durations);
        throw error;
      } finally {
        for (const tag of escaped) recentTags.delete(tag);
      }
    },

    async close() {
      if (closed) return;
      // Writes in flight reach Redis first (each is bounded by timeoutMs): a value stored just
      // before close() is kept.
      await writes.settled();
      closed = true;
      client.off('ready', onReady);
      if (!ownsClient) return;
      const ended = client.status === 'end' ? Promise.resolve() : new Promise((resolve) => client.once('end', resolve));
      const grace = () => new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([
        client.quit().then(
          () => ended,
          () => {},
        ),
        grace(),
      ]);
      if (client.status !== 'end') {
        client.disconnect();
        await Promise.race([ended, grace()]);
      }
      client.off('error', onError);
      client.on('error', () => {}); // late socket errors after close must not be "unhandled"
    },
  };
  handler.set = writes.wrap(handler.set.bind(handler));
  handler.updateTags = writes.wrap(handler.updateTags.bind(handler));
  nameHandler(handler, 'redis');
  if (leaseMs === false) return handler;

  return Object.assign(handler, {
    async acquireLease(key: string): Promise<LeaseClaim> {
      const token = randomBytes(12).toString('base64url');
      const shard = layout.shardOf(key);
      const reply = await run('acquireLease', () =>
        evalScript(ACQUIRE_LEASE, [`${shard}e:${key}`, `${shard}l:${key}`], [`${shard}t:`, token, leaseMs]),
      );
      if (!Array.isArray(reply)) return { ttlMs: leaseMs };
      return { token, ttlMs: leaseMs, entry: entryOf(key, reply[1]) ?? null };
    },
    async releaseLease(key: string, token: string): Promise<void> {
      await run('releaseLease', () => evalScript(RELEASE_LEASE, [`${layout.shardOf(key)}l:${key}`], [token]));
    },
  });
}

function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/** The client the handler owns: fails fast while disconnected, every command bounded. */
function createClient(options: RedisHandlerOptions, timeoutMs: number): Redis | Cluster {
  const nodeOptions: RedisOptions = {
    maxRetriesPerRequest: 1,
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(1000, timeoutMs * 4),
    ...options.redisOptions,
  };
  const retry = (times: number) => Math.min(times * 100, 1000);
  if (options.cluster) {
    if (!Array.isArray(options.cluster) || options.cluster.length === 0) {
      throw new TypeError('createRedisHandler: cluster must be a non-empty array of node URLs');
    }
    return new Cluster(options.cluster, {
      enableOfflineQueue: false,
      clusterRetryStrategy: retry,
      slotsRefreshTimeout: Math.max(1000, timeoutMs * 2),
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      ...options.clusterOptions,
      redisOptions: { ...nodeOptions, ...options.clusterOptions?.redisOptions },
    });
  }
  return new Redis(options.url ?? 'redis://127.0.0.1:6379', {
    enableOfflineQueue: false,
    retryStrategy: retry,
    ...nodeOptions,
  });
}

/** A tag name as a key suffix: `A-Z a-z 0-9 . _ ~ -` kept, every other UTF-8 byte as `%XX`. */
export function escapeTag(tag: string): string {
  if (/^[A-Za-z0-9._~-]*$/.test(tag)) return tag;
  let out = '';
  for (const byte of Buffer.from(tag, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

async function formatStored(entry: CacheEntry, storage: StorageOptions): Promise<Buffer> {
  const tagList = Buffer.from([...new Set(entry.tags.map(escapeTag))].join(' '), 'latin1');
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(tagList.length, 0);
  return Buffer.concat([header, tagList, await packEntry(entry, storage)]);
}

function parseStored(
  stored: Buffer,
  storage: StorageOptions,
): { entry: CacheEntry; escapedTags: string[] } | undefined {
  if (stored.length < 4) return undefined;
  const n = stored.readUInt32BE(0);
  if (n > stored.length - 4) return undefined;
  const entry = unpackEntry(stored.subarray(4 + n), storage);
  if (!entry) return undefined;
  const escapedTags = n === 0 ? [] : stored.toString('latin1', 4, 4 + n).split(' ');
  return { entry, escapedTags };
}

function parseStamp(stamp: unknown, debug: HandlerLog): TagTimes {
  if (stamp == null || stamp === false) return { ...NEVER_REVALIDATED };
  const times = parseTagTimes(Buffer.isBuffer(stamp) ? stamp.toString() : String(stamp));
  if (times !== undefined) return times;
  debug(`unreadable tag times ${JSON.stringify(String(stamp))}: ignored`);
  return { ...NEVER_REVALIDATED };
}

interface Script {
  lua: string;
  sha: string;
}

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

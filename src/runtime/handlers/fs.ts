/**
 * Filesystem cache handler: entries survive a restart and can be shared by the processes of one
 * machine.
 *
 * Layout under `dir`:
 * - `entries/<sha256(key)>`: one entry, `encodeEntry` bytes (length + CRC-32 checked on read).
 * - `tags/<sha256(tag)>`: the tag's revalidation times, `"<expired> <stale>"` (ms, decimal text;
 *   see `tag-times.ts`).
 * - `tmp/`: files being written. Every write goes to a fresh temp file and is renamed over its
 *   target, so a reader (in any process) sees the old file or the new one, never half of one.
 * - `leases/<sha256(key)>`: a fill lease (single flight across the processes sharing `dir`): a
 *   file created exclusively (written aside, then hard-linked into place: `link` fails when it
 *   exists) holding `<token> <lapse time ms>`. A lease past its lapse
 *   time is taken over (renamed away, then created anew); released by its holder only while it
 *   still holds its token.
 *
 * Budget: an in-memory index (rebuilt at start by scanning `entries/`, oldest modification first)
 * tracks the bytes of the entries this process knows; past `maxBytes` the least recently used
 * ones are deleted. Each process enforces the budget over what it knows (everything at start, plus
 * what it writes or reads), so several processes sharing a dir can briefly exceed it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nameHandler } from '../events.js';
import { errorMessage, handlerDebug, type DebugHook } from './handler-debug.js';
import { InFlightWrites } from './in-flight.js';
import { packEntry, storageOptions, unpackEntry } from './stored-entry.js';
import {
  checkDurations,
  formatTagTimes,
  NEVER_REVALIDATED,
  parseTagTimes,
  updatedTagTimes,
  type TagTimes,
} from './tag-times.js';
import type { CacheHandler, LeaseClaim } from './types.js';

export interface FsHandlerOptions {
  /** Directory of the cache (created when missing). */
  dir: string;
  /** Size budget of the stored entries in bytes. Default 256 MiB. */
  maxBytes?: number;
  /** Largest value (bytes) stored; larger ones are returned to callers but not stored. Default 4 MiB. */
  maxEntryBytes?: number;
  /** Deflate entries (node:zlib) before writing them. Default false. */
  compress?: boolean;
  /** Fill leases (single flight across processes sharing `dir`): lease time in ms, or `false`. Default 5000. */
  leaseMs?: number | false;
  /** Receives debug messages; default: the runtime's debug log (`USE_CACHE_DEBUG=1`). */
  debug?: DebugHook;
}

export interface FsCacheHandler extends CacheHandler {
  /** Bytes of the entries in this process's index (what the budget is checked against). */
  readonly indexedBytes: number;
  readonly maxEntryBytes: number;
  close(): Promise<void>;
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
/** Temp files older than this at start-up are leftovers of a crash and are removed. */
const STALE_TEMP_MS = 60_000;
const DEFAULT_LEASE_MS = 5000;

export function createFsHandler(options: FsHandlerOptions): FsCacheHandler {
  if (!options || typeof options.dir !== 'string' || options.dir === '') {
    throw new TypeError('createFsHandler: `dir` (a directory path) is required');
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!(maxBytes > 0)) throw new TypeError('createFsHandler: maxBytes must be a positive number');
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (leaseMs !== false && !(typeof leaseMs === 'number' && leaseMs >= 1)) {
    throw new TypeError('createFsHandler: leaseMs must be a number of ms >= 1, or false');
  }
  const storage = storageOptions('createFsHandler', options);
  const debug = handlerDebug('fs', options.debug);
  const entriesDir = join(options.dir, 'entries');
  const tagsDir = join(options.dir, 'tags');
  const tmpDir = join(options.dir, 'tmp');
  const leasesDir = join(options.dir, 'leases');
  const dirs = [entriesDir, tagsDir, tmpDir, leasesDir];

  /** File name -> size, least recently used first (Map keeps insertion order). */
  const index = new Map<string, number>();
  let totalBytes = 0;
  let tempCounter = 0;
  const tempTag = `${process.pid}.${randomBytes(4).toString('hex')}`;

  function track(name: string, size: number): void {
    totalBytes -= index.get(name) ?? 0;
    index.delete(name);
    index.set(name, size);
    totalBytes += size;
  }
  function untrack(name: string): void {
    totalBytes -= index.get(name) ?? 0;
    index.delete(name);
  }

  async function scan(): Promise<void> {
    await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
    const found: { name: string; size: number; mtime: number }[] = [];
    const names = await readdir(entriesDir);
    for (let i = 0; i < names.length; i += 256) {
      await Promise.all(
        names.slice(i, i + 256).map(async (name) => {
          try {
            const s = await stat(join(entriesDir, name));
            if (s.isFile()) found.push({ name, size: s.size, mtime: s.mtimeMs });
          } catch {
            // removed meanwhile by another process
          }
        }),
      );
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const { name, size } of found) track(name, size);
    const now = Date.now();
    for (const name of await readdir(tmpDir)) {
      const path = join(tmpDir, name);
      try {
        if (now - (await stat(path)).mtimeMs > STALE_TEMP_MS) await unlink(path);
      } catch {
        // another process renamed or removed it
      }
    }
    await evict();
  }

  async function evict(): Promise<void> {
    while (totalBytes > maxBytes && index.size > 0) {
      const [oldest] = index.keys();
      untrack(oldest!);
      await unlink(join(entriesDir, oldest!)).catch(() => {});
    }
  }

  /**
   * Write `bytes` to `path` atomically: a temp file in `tmp/`, then a rename over the target.
   * When the directories were removed under us (someone cleared the cache), recreate them once.
   */
  async function writeAtomic(path: string, bytes: Uint8Array | string, retry = true): Promise<void> {
    const temp = join(tmpDir, `${tempTag}.${++tempCounter}`);
    try {
      await writeFile(temp, bytes);
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      if (!retry || !isMissing(error)) throw error;
      await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
      return writeAtomic(path, bytes, false);
    }
  }

  async function readTag(tag: string): Promise<TagTimes> {
    let text: string;
    try {
      text = await readFile(join(tagsDir, hash(tag)), 'utf8');
    } catch (error) {
      if (isMissing(error)) return { ...NEVER_REVALIDATED };
      throw error;
    }
    const times = parseTagTimes(text);
    if (times !== undefined) return times;
    debug(`unreadable timestamp file for tag ${JSON.stringify(tag)}: ignored`);
    return { ...NEVER_REVALIDATED };
  }

  let closed = false;
  const ready = scan();
  ready.catch((error: unknown) => debug(`cannot open ${options.dir}: ${errorMessage(error)}`));
  async function open(): Promise<void> {
    if (closed) throw new Error('the filesystem handler is closed');
    await ready;
  }

  const handler: FsCacheHandler = {
    get indexedBytes() {
      return totalBytes;
    },
    maxEntryBytes: storage.maxEntryBytes,

    async get(key) {
      await open();
      const name = hash(key);
      let bytes: Buffer;
      try {
        bytes = await readFile(join(entriesDir, name));
      } catch (error) {
        untrack(name);
        if (isMissing(error)) return undefined;
        throw error;
      }
      const entry = unpackEntry(bytes, storage);
      if (!entry) {
        debug(`corrupt entry file ${name}: read as a miss and removed`);
        untrack(name);
        await unlink(join(entriesDir, name)).catch(() => {});
        return undefined;
      }
      track(name, bytes.length);
      if (totalBytes > maxBytes) await evict();
      return entry;
    },

    async set(key, entry) {
      await open();
      if (entry.value.byteLength > storage.maxEntryBytes) {
        debug(`value of ${entry.value.byteLength} bytes is over maxEntryBytes (${storage.maxEntryBytes}): not stored`);
        return;
      }
      const bytes = await packEntry(entry, storage);
      if (bytes.length > maxBytes) {
        debug(`entry of ${bytes.length} bytes is larger than maxBytes (${maxBytes}): not stored`);
        return;
      }
      const name = hash(key);
      await writeAtomic(join(entriesDir, name), bytes);
      track(name, bytes.length);
      await evict();
    },

    async getTagTimes(tags) {
      await open();
      return Promise.all(tags.map(readTag));
    },

    async updateTags(tags, timestamp, durations) {
      checkDurations(durations);
      await open();
      await Promise.all(
        [...new Set(tags)].map(async (tag) => {
          // Merge with what another process recorded meanwhile (best effort: two processes
          // revalidating the same tag in the same instant may keep either one's times).
          const current = await readTag(tag).catch(() => NEVER_REVALIDATED);
          await writeAtomic(
            join(tagsDir, hash(tag)),
            `${formatTagTimes(updatedTagTimes(current, timestamp, durations))}\n`,
          );
        }),
      );
    },

    async close() {
      closed = true;
      await ready.catch(() => {});
      await writes.settled();
    },
  };
  // close() waits for the writes in flight: a value stored just before it is kept.
  const writes = new InFlightWrites();
  handler.set = writes.wrap(handler.set.bind(handler));
  handler.updateTags = writes.wrap(handler.updateTags.bind(handler));
  nameHandler(handler, 'fs');
  if (leaseMs === false) return handler;
  const ttlMs = leaseMs;

  /**
   * Create the lease file exclusively; `false` when it exists. Written in full to a temp file
   * first and then hard-linked into place (`link` fails when the target exists), so no reader
   * ever sees a lease file without its token and lapse time.
   */
  async function createLease(path: string, token: string, retry = true): Promise<boolean> {
    const temp = join(tmpDir, `${tempTag}.lease.${++tempCounter}`);
    try {
      await writeFile(temp, `${token} ${Date.now() + ttlMs}\n`);
      await link(temp, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      if (!retry || !isMissing(error)) throw error;
      await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
      return await createLease(path, token, false);
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  async function readLease(path: string): Promise<{ token: string; lapses: number } | undefined> {
    try {
      const [token = '', lapses] = (await readFile(path, 'utf8')).trim().split(' ');
      return { token, lapses: Number(lapses) || 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  return Object.assign(handler, {
    async acquireLease(key: string): Promise<LeaseClaim> {
      await open();
      const path = join(leasesDir, hash(key));
      const token = randomBytes(12).toString('base64url');
      if (await createLease(path, token)) return { token, ttlMs };
      const current = await readLease(path);
      if (current !== undefined && current.lapses > Date.now()) return { ttlMs };
      if (current !== undefined) {
        // Lapsed (its holder died or is slow): move it out of the way atomically, then claim it.
        // If what we moved is not the lapsed lease (another process took it over meanwhile),
        // put it back (link fails when yet another lease is there already) and wait for it.
        const aside = join(tmpDir, `${tempTag}.lease.${++tempCounter}`);
        const movedAside = await rename(path, aside).then(
          () => true,
          () => false,
        );
        if (!movedAside) return { ttlMs };
        const moved = await readLease(aside).catch(() => undefined);
        if (moved !== undefined && moved.token !== current.token) {
          await link(aside, path).catch(() => {});
          await unlink(aside).catch(() => {});
          return { ttlMs };
        }
        await unlink(aside).catch(() => {});
      }
      return (await createLease(path, token)) ? { token, ttlMs } : { ttlMs };
    },
    async releaseLease(key: string, token: string): Promise<void> {
      const path = join(leasesDir, hash(key));
      if ((await readLease(path))?.token === token) await unlink(path).catch(() => {});
    },
  });
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

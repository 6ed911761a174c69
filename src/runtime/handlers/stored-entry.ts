/**
 * What the Redis and filesystem handlers write for one entry: `encodeEntry` bytes, deflated when
 * the handler compresses (`compress: true`), and the size cap both apply (`maxEntryBytes`).
 *
 * A compressed entry is `"UCZ" 0x01` + raw deflate of the encoded entry; the CRC-32 inside the
 * encoded entry is checked after inflating. Every handler reads both forms, so a fleet can turn
 * compression on or off one instance at a time. Inflating is bounded (`maxOutputLength`): a
 * forged or corrupt entry that would inflate past the cap reads as a miss, never as a memory spike.
 */
import { promisify } from 'node:util';
import { deflateRaw, inflateRawSync } from 'node:zlib';
import { decodeEntry, encodeEntry } from './entry-codec.js';
import type { CacheEntry } from './types.js';

/** Default `maxEntryBytes` of the Redis and filesystem handlers: 4 MiB of Flight bytes. */
export const DEFAULT_MAX_ENTRY_BYTES = 4 * 1024 * 1024;

const COMPRESSED_MAGIC = Buffer.from([0x55, 0x43, 0x5a, 0x01]); // "UCZ" + version 1
/** Tags, lives and framing that `encodeEntry` adds to the value, at most (128 tags of 256 chars). */
const ENCODING_SLACK = 1 << 20;
const deflate = promisify(deflateRaw);

export interface StorageOptions {
  compress: boolean;
  maxEntryBytes: number;
}

export function storageOptions(
  handler: string,
  options: { compress?: boolean; maxEntryBytes?: number },
): StorageOptions {
  const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  if (!(typeof maxEntryBytes === 'number' && maxEntryBytes > 0)) {
    throw new TypeError(`${handler}: maxEntryBytes must be a positive number`);
  }
  if (options.compress !== undefined && typeof options.compress !== 'boolean') {
    throw new TypeError(`${handler}: compress must be true or false`);
  }
  return { compress: options.compress ?? false, maxEntryBytes };
}

/** The bytes to store for `entry` (deflated only when that saves bytes). */
export async function packEntry(entry: CacheEntry, storage: StorageOptions): Promise<Buffer> {
  const encoded = encodeEntry(entry);
  if (!storage.compress) return encoded;
  const deflated = await deflate(encoded);
  if (deflated.length + COMPRESSED_MAGIC.length >= encoded.length) return encoded;
  return Buffer.concat([COMPRESSED_MAGIC, deflated]);
}

/** The entry in stored bytes, or `undefined` when they are not one intact (compressed) entry. */
export function unpackEntry(bytes: Uint8Array, storage: StorageOptions): CacheEntry | undefined {
  if (!isCompressed(bytes)) return decodeEntry(bytes);
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(bytes.subarray(COMPRESSED_MAGIC.length), {
      maxOutputLength: storage.maxEntryBytes + ENCODING_SLACK,
    });
  } catch {
    return undefined;
  }
  return decodeEntry(inflated);
}

function isCompressed(bytes: Uint8Array): boolean {
  if (bytes.byteLength < COMPRESSED_MAGIC.length) return false;
  for (let i = 0; i < COMPRESSED_MAGIC.length; i++) if (bytes[i] !== COMPRESSED_MAGIC[i]) return false;
  return true;
}

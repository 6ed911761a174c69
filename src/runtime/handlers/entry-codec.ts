/**
 * Binary encoding of a CacheEntry, shared by the handlers that store bytes outside the process
 * (Redis, filesystem).
 *
 * Layout (big-endian):
 *
 * ```
 *  0  4  magic "UCE" + format version 0x01
 *  4  4  u32  body length (bytes after this 12-byte header)
 *  8  4  u32  CRC-32 of the body
 * 12     body:
 *        f64 timestamp, f64 stale, f64 revalidate, f64 expire
 *        u16 tag count, then per tag: u16 UTF-8 byte length + the bytes
 *        the value bytes (the rest of the body)
 * ```
 *
 * `decodeEntry` never throws: a buffer that is truncated, too long, has another magic or a wrong
 * checksum, or whose fields do not parse, decodes to `undefined` ("no entry").
 */
import { crc32 } from 'node:zlib';
import type { CacheEntry } from './types.js';

const MAGIC = [0x55, 0x43, 0x45, 0x01] as const; // "UCE" + version 1
const HEADER_BYTES = 12;
const LIVES_BYTES = 4 * 8;
const MAX_U16 = 0xffff;

export function encodeEntry(entry: CacheEntry): Buffer {
  const tagBytes = entry.tags.map((tag) => Buffer.from(tag, 'utf8'));
  if (tagBytes.length > MAX_U16) throw new RangeError(`too many tags (${tagBytes.length})`);
  let bodyLength = LIVES_BYTES + 2 + entry.value.byteLength;
  for (const bytes of tagBytes) {
    if (bytes.length > MAX_U16) throw new RangeError('tag longer than 65535 bytes');
    bodyLength += 2 + bytes.length;
  }
  const out = Buffer.allocUnsafe(HEADER_BYTES + bodyLength);
  out.set(MAGIC, 0);
  out.writeUInt32BE(bodyLength, 4);
  let at = HEADER_BYTES;
  at = out.writeDoubleBE(entry.timestamp, at);
  at = out.writeDoubleBE(entry.stale, at);
  at = out.writeDoubleBE(entry.revalidate, at);
  at = out.writeDoubleBE(entry.expire, at);
  at = out.writeUInt16BE(tagBytes.length, at);
  for (const bytes of tagBytes) {
    at = out.writeUInt16BE(bytes.length, at);
    out.set(bytes, at);
    at += bytes.length;
  }
  out.set(entry.value, at);
  out.writeUInt32BE(crc32(out.subarray(HEADER_BYTES)), 8);
  return out;
}

/** The entry encoded in `bytes`, or `undefined` when they are not one intact encoded entry. */
export function decodeEntry(bytes: Uint8Array): CacheEntry | undefined {
  try {
    return decodeChecked(bytes);
  } catch {
    return undefined;
  }
}

function decodeChecked(bytes: Uint8Array): CacheEntry | undefined {
  if (bytes.byteLength < HEADER_BYTES + LIVES_BYTES + 2) return undefined;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < MAGIC.length; i++) if (buf[i] !== MAGIC[i]) return undefined;
  if (buf.readUInt32BE(4) !== buf.length - HEADER_BYTES) return undefined;
  if (buf.readUInt32BE(8) !== crc32(buf.subarray(HEADER_BYTES))) return undefined;

  let at = HEADER_BYTES;
  const timestamp = buf.readDoubleBE(at);
  const stale = buf.readDoubleBE(at + 8);
  const revalidate = buf.readDoubleBE(at + 16);
  const expire = buf.readDoubleBE(at + 24);
  at += LIVES_BYTES;
  const tagCount = buf.readUInt16BE(at);
  at += 2;
  const tags: string[] = [];
  for (let i = 0; i < tagCount; i++) {
    const length = buf.readUInt16BE(at); // throws RangeError past the end: caught above
    at += 2;
    if (at + length > buf.length) return undefined;
    tags.push(buf.toString('utf8', at, at + length));
    at += length;
  }
  if ([timestamp, stale, revalidate, expire].some(Number.isNaN)) return undefined;
  // A view, not a Buffer: callers get the plain type the interface promises.
  const value = new Uint8Array(buf.buffer, buf.byteOffset + at, buf.length - at);
  return { value, tags, timestamp, stale, revalidate, expire };
}

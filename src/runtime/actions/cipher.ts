// AES-256-GCM sealing of bound-argument plaintexts. The reference id is the additional
// authenticated data, so a ciphertext made for one action fails to open for any other.
// Output: base64url(iv[12] | tag[16] | ciphertext).

import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { getEncryptionKey } from './key.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = IV_BYTES + TAG_BYTES;

// Random IVs drawn from a pool refilled in batches: one randomFillSync per 256 encryptions
// instead of one per call (a per-call randomBytes(12) costs about as much as the cipher itself).
const IV_POOL_SIZE = 256;
const ivPool = Buffer.allocUnsafe(IV_BYTES * IV_POOL_SIZE);
let ivNext = IV_POOL_SIZE;

function nextIv(): Buffer {
  if (ivNext === IV_POOL_SIZE) {
    randomFillSync(ivPool);
    ivNext = 0;
  }
  const start = IV_BYTES * ivNext++;
  return ivPool.subarray(start, start + IV_BYTES);
}

// The id as bytes, per id (the set of ids is the set of actions in the code, so it stays small).
const aadCache = new Map<string, Buffer>();
function aad(id: string): Buffer {
  let bytes = aadCache.get(id);
  if (bytes === undefined) {
    if (aadCache.size >= 4096) aadCache.clear();
    bytes = Buffer.from(id, 'utf8');
    aadCache.set(id, bytes);
  }
  return bytes;
}

/** Encrypts `plaintext` for the reference `id`; returns base64url(iv | tag | ciphertext). */
export function seal(id: string, plaintext: string): string {
  const iv = nextIv();
  const cipher = createCipheriv(ALGORITHM, getEncryptionKey(), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(id));
  const body = cipher.update(plaintext, 'utf8');
  cipher.final();
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  iv.copy(out, 0);
  cipher.getAuthTag().copy(out, IV_BYTES);
  body.copy(out, HEADER_BYTES);
  return out.toString('base64url');
}

/**
 * Decrypts and authenticates a `seal` output for the reference `id`. Returns null when the input
 * is not a string, is malformed or truncated, was modified, or was sealed for another id or key.
 */
export function open(id: string, sealed: unknown): string | null {
  if (typeof sealed !== 'string' || !/^[A-Za-z0-9_-]+$/.test(sealed)) return null;
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length <= HEADER_BYTES) return null;
  const key = getEncryptionKey(); // a misconfigured key is reported as such, not as tampering
  try {
    const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad(id));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, HEADER_BYTES));
    const head = decipher.update(bytes.subarray(HEADER_BYTES));
    const tail = decipher.final();
    return (tail.length === 0 ? head : Buffer.concat([head, tail])).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * Flight's client decodes a typed array or DataView as a view over the bytes it reads (`new
 * Uint8Array(chunk.buffer, offset, length)`), not a copy. Decoding a stored payload for a caller
 * straight from the stored bytes would thus hand every caller views over one shared buffer: one
 * caller writing `bytes[0] = 99` would change the stored entry for everyone.
 *
 * `privateChunks` cuts a payload into the chunks to stream to the decoder instead: the data of
 * each binary row is copied into a buffer of its own (so the decoded view is exactly that copy,
 * as an uncached value's buffer is its own), and the text between them is passed as views of the
 * stored bytes (Flight turns text into strings and keeps none of it).
 *
 * Rows are framed as Flight's client reads them (react-server-dom-webpack 19.3,
 * `processBinaryChunk`): `<hex id>:<tag><hex length>,<data>` for the length-prefixed tags below,
 * `<hex id>:<text>\n` for every other row.
 */

const COLON = 58;
const COMMA = 44;
const NEWLINE = 10;
const TEXT = 84; // 'T': long text, length-prefixed but decoded to a string
/** Tags whose rows carry a length and raw data: T, A, O, o, b, U, S, s, L, l, G, g, M, m, V. */
const LENGTH_PREFIXED = new Set([...'TAOobUSsLlGgMmV'].map((c) => c.charCodeAt(0)));

export function privateChunks(bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const end = bytes.length;
  /** Start of the text not yet emitted; whether it must be copied (see below). */
  let textStart = 0;
  let copyText = false;
  let i = 0;
  while (i < end) {
    const colon = bytes.indexOf(COLON, i);
    if (colon === -1) break;
    const tag = bytes[colon + 1]!;
    if (!LENGTH_PREFIXED.has(tag)) {
      const newline = bytes.indexOf(NEWLINE, colon + 1);
      i = newline === -1 ? end : newline + 1;
      continue;
    }
    let length = 0;
    let at = colon + 2;
    for (; at < end && bytes[at] !== COMMA; at++) {
      const digit = bytes[at]!;
      length = (length << 4) | (digit > 96 ? digit - 87 : digit - 48);
    }
    const dataStart = at + 1;
    const dataEnd = Math.min(dataStart + length, end);
    if (tag === TEXT) {
      i = dataEnd;
      continue;
    }
    if (length === 0) {
      // Flight resolves an empty row with an empty view over whatever chunk it is reading: keep
      // the row inside the text, and make that text a copy.
      copyText = true;
      i = dataEnd;
      continue;
    }
    chunks.push(text(bytes, textStart, dataStart, copyText), bytes.slice(dataStart, dataEnd));
    textStart = i = dataEnd;
    copyText = false;
  }
  if (textStart < end) chunks.push(text(bytes, textStart, end, copyText));
  return chunks;
}

function text(bytes: Uint8Array, start: number, end: number, copy: boolean): Uint8Array {
  return copy ? bytes.slice(start, end) : bytes.subarray(start, end);
}

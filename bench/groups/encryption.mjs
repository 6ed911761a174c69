// Encryption of an inline server action's captured values: encryptBound of three small values
// (what every render of a component with such an action pays) and decryptBound (what every call
// of the action pays). Target: under 10 µs, so the baseline column is that budget and the target
// is a ratio of 1 to it. A second pair of rows sets them against a bare AES-256-GCM of the same
// values' JSON (node:crypto), to show what the serialisation and framing add.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { loadDist, firstLine } from '../lib/dist.mjs';
import { compare } from '../lib/measure.mjs';
import { emit, figure, notAvailable } from '../lib/report.mjs';

const quick = process.env.BENCH_QUICK === '1';
const opts = quick ? { warmupMs: 100, batchMs: 20, batches: 7 } : { warmupMs: 400, batchMs: 50, batches: 21 };
const BUDGET_US = 10;
const ROWS = [
  { key: 'encrypt', name: 'encryptBound, 3 small values ÷ 10 µs budget', target: 1 },
  { key: 'decrypt', name: 'decryptBound, 3 small values ÷ 10 µs budget', target: 1 },
  { key: 'encryptRaw', name: 'encryptBound, 3 small values ÷ bare AES-256-GCM of their JSON', target: null },
  { key: 'decryptRaw', name: 'decryptBound, 3 small values ÷ bare AES-256-GCM of their JSON', target: null },
];

async function main() {
  const runtime = await loadDist('runtime/index.js', ['encryptBound', 'decryptBound']);
  if (runtime.missing) {
    for (const row of ROWS) emit(notAvailable(row.name, 'µs', row.target, runtime.missing));
    return;
  }
  const { encryptBound, decryptBound, configureCache } = runtime.module;
  const key = randomBytes(32);
  // A configured key (as in production), so no per-process key warning is printed.
  if (typeof configureCache === 'function') configureCache({ encryptionKey: key.toString('base64') });
  const id = 'a'.repeat(64);
  const values = () => ['user-42', 1234, 'en-GB'];
  const sealed = await encryptBound(id, values());
  const check = await decryptBound(id, sealed);
  if (JSON.stringify(check) !== JSON.stringify(values())) throw new Error('decryptBound did not return the values');

  const rawEncrypt = () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(id));
    const body = Buffer.concat([cipher.update(JSON.stringify(values())), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  };
  const rawSealed = rawEncrypt();
  const rawDecrypt = () => {
    const buf = Buffer.from(rawSealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(buf.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString());
  };

  const enc = await compare(() => encryptBound(id, values()), rawEncrypt, opts);
  const dec = await compare(() => decryptBound(id, sealed), rawDecrypt, opts);
  const us = (ms) => ms * 1000;
  emit(figure({ ...ROWS[0], value: us(enc.value), unit: 'µs', baseline: BUDGET_US }));
  emit(figure({ ...ROWS[1], value: us(dec.value), unit: 'µs', baseline: BUDGET_US }));
  emit(figure({ ...ROWS[2], value: us(enc.value), unit: 'µs', baseline: us(enc.baseline), ratio: enc.ratio }));
  emit(figure({ ...ROWS[3], value: us(dec.value), unit: 'µs', baseline: us(dec.baseline), ratio: dec.ratio }));
}

try {
  await main();
} catch (error) {
  for (const row of ROWS) emit(notAvailable(row.name, 'µs', row.target, `failed: ${firstLine(error)}`));
}

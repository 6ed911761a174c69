// In-process storage for the guestbook form (the demo has no database).
import { createHash } from 'node:crypto';

const entries = [];

/** A short fingerprint that lets the page prove which captured value an action saw, without showing it. */
export function fingerprint(value) {
  return createHash('sha256').update(String(value)).digest('hex').slice(0, 16);
}

export function addEntry(entry) {
  entries.push(entry);
  if (entries.length > 20) entries.shift();
}

export function listEntries() {
  return entries.slice();
}

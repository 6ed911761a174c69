'use server';
// File-level Server Actions. The server build registers each export as a server reference; the
// browser build replaces this whole module with `createServerReference(id, callServer)` stubs.
import { revalidateTag } from 'babel-plugin-use-cache/runtime';

export async function refreshClock() {
  await revalidateTag('clock');
  return { revalidatedAt: new Date().toISOString() };
}

import { cacheLife, cacheTag } from 'next/cache';
import { connection } from 'next/server';

// Which instance computed the value, and when: a hit elsewhere returns the same `computedBy`.
async function cachedValue(id) {
  'use cache';
  cacheLife('hours');
  cacheTag('values', `value-${id}`);
  return { id, computedBy: process.env.INSTANCE_NAME, computedAt: Date.now(), nonce: crypto.randomUUID() };
}

export async function GET(request) {
  await connection(); // computed per request, never prerendered at build time
  const id = new URL(request.url).searchParams.get('id') ?? 'none';
  return Response.json({ servedBy: process.env.INSTANCE_NAME, value: await cachedValue(id) });
}

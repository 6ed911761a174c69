import { revalidateTag } from 'next/cache';

// POST /revalidate?tag=value-1[&profile=max]: `expire` 0 expires at once; a profile marks stale.
export async function POST(request) {
  const params = new URL(request.url).searchParams;
  const tag = params.get('tag');
  const profile = params.get('profile');
  revalidateTag(tag, profile ?? { expire: 0 });
  return Response.json({ revalidated: tag, profile: profile ?? { expire: 0 } });
}

// The app behind docs/runtime.md's server snippet (server.mjs), run by request-scope-server.test.ts:
// a shared cached greeting and a per-request ('use cache: private') cart, as compiled code calls them.
import { cacheFunction } from 'babel-plugin-use-cache/runtime';

let greetingRuns = 0;
let cartRuns = 0;
const greeting = cacheFunction('docs-server#greeting', 'default', async (name) => `hello ${name} #${++greetingRuns}`);
const cart = cacheFunction('docs-server#cart', 'private', async (user) => `cart of ${user} #${++cartRuns}`);

/** Draft mode for a request carrying the preview secret (never for a request without one). */
export function isPreview(req) {
  const secret = process.env.PREVIEW_SECRET;
  return secret !== undefined && req.headers['x-preview'] === secret;
}

export async function handle(req, res) {
  const user = req.headers['x-user'] ?? 'anonymous';
  const body = { greeting: await greeting('world'), carts: [await cart(user), await cart(user)] };
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

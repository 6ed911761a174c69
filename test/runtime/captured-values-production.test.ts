// The captured values of an inline cached function are encrypted when React's Flight server
// serialises the bound reference: it awaits the encryptOnSend holder, a thenable. Vitest runs
// React's development build; this checks the production build (a child process with
// NODE_ENV=production) does the same, so a change in either build's handling of bound values
// fails a test: the payload holds a ciphertext and not the values, and that ciphertext, sent back,
// opens to the entry the server's own call made.
import { expect, it } from 'vitest';
import { runInProductionBuild } from '../support/production-child.js';

const script = `
import assert from 'node:assert/strict';
import { renderToReadableStream } from 'react-server-dom-webpack/server';
const rt = await import(process.argv[2] + '/index.js');
assert.equal(process.env.NODE_ENV, 'production');
rt.configureCache({ encryptionKey: Buffer.alloc(32, 5) });

const ID = 'c'.repeat(64);
let runs = 0;
const load = rt.cacheFunction(ID, 'default', async ([token, user], day) => {
  runs++;
  return { user, day, length: token.length };
}, { captured: true });
const secret = 'sk_live_PRODUCTION SECRET';
const bound = load.bind(null, rt.encryptOnSend(ID, [secret, 'Ada Lovelace']));
assert.deepEqual(await bound('monday'), { user: 'Ada Lovelace', day: 'monday', length: secret.length });

const errors = [];
const payload = await new Response(
  renderToReadableStream({ load: bound }, {}, { onError: (e) => void errors.push(e) }),
).text();
assert.deepEqual(errors, []);
assert.ok(!payload.includes(secret) && !payload.includes('Ada Lovelace'), payload);
const sealed = [...payload.matchAll(/"([A-Za-z0-9_-]{40,})"/g)].map((m) => m[1]).filter((s) => s !== ID);
assert.equal(sealed.length, 1, payload);
assert.deepEqual(await load(sealed[0], 'monday'), { user: 'Ada Lovelace', day: 'monday', length: secret.length });
assert.equal(runs, 1);
await assert.rejects(load(sealed[0].slice(0, -3) + 'AAA', 'monday'), { code: 'ERR_INVALID_BOUND_ARGUMENTS' });
assert.equal(runs, 1);
console.log('ok');
`;

it('production build: a bound reference carries a ciphertext that opens to the server call’s entry', async () => {
  expect(await runInProductionBuild('captured-production', script)).toBe('ok');
}, 120_000);

// React's production build behaves differently from the development build vitest runs (elements
// are plain objects, payloads carry no debug data), and the fast paths differ with it: cached
// components are served from copies with the caller's children put in. This runs the compiled
// runtime in a child process with NODE_ENV=production.
import { expect, it } from 'vitest';
import { runInProductionBuild } from '../support/production-child.js';

const script = `
import assert from 'node:assert/strict';
import { createElement } from 'react';
import { encodeReply, createTemporaryReferenceSet, createFromReadableStream } from 'react-server-dom-webpack/client';
import { renderToReadableStream } from 'react-server-dom-webpack/server';
const dir = process.argv[2];
const rt = await import(dir + '/index.js');
const value = await import(dir + '/value.js');
const key = await import(dir + '/key.js');
assert.equal(process.env.NODE_ENV, 'production');

// Elements are plain objects here: copyable, so component hits skip decoding.
assert.ok(value.copier(createElement('p', null, 'x')) !== undefined);

let runs = 0;
const Card = rt.cacheFunction('card', 'default', async function Card({ title, children }) {
  runs++;
  return createElement('section', { className: 'card' }, createElement('h2', null, title), children);
});
const manifest = { moduleMap: null, serverModuleMap: null, moduleLoading: null };
const text = (n) => n == null || typeof n === 'boolean' ? '' : typeof n !== 'object' ? String(n) : Array.isArray(n) ? n.map(text).join('') : text(n.props?.children);
async function render(node) {
  return createFromReadableStream(renderToReadableStream(node, {}, { onError(e) { console.error(e); } }), { serverConsumerManifest: manifest });
}
const seen = [];
for (const word of ['one', 'two', 'three', 'four']) {
  const direct = await Card({ title: 'T', children: createElement('p', null, word) });
  assert.equal(text(direct), 'T' + word);
  seen.push(direct);
  assert.equal(text(await render(createElement(Card, { title: 'T' }, createElement('i', null, word)))), 'T' + word);
}
// React calls components as Card(props, undefined): one entry for that form, one for Card(props).
assert.equal(runs, 2);
assert.notEqual(seen[2], seen[3]);
seen[2].props.children.push('mutated');
assert.equal(text(await Card({ title: 'T', children: createElement('b', null, 'five') })), 'Tfive');
assert.equal(runs, 2);

// Plain data: copies, never shared.
const data = rt.cacheFunction('data', 'default', async (a, b, c) => ({ a, b, c, list: [1, 2] }));
const d1 = await data('x', 1, true);
d1.list.push(3);
assert.deepEqual((await data('x', 1, true)).list, [1, 2]);

// Typed arrays next to a promise (decoded from the stored bytes on every hit): each caller's own.
const binary = rt.cacheFunction('binary', 'default', async () => ({ bytes: new Uint8Array([1, 2]), later: Promise.resolve(1) }));
const b1 = await binary();
b1.bytes[0] = 99;
const b2 = await binary();
assert.deepEqual([...b2.bytes], [1, 2]);
assert.equal(b2.bytes.buffer.byteLength, 2);

// The primitive fast path writes what encodeReply writes in this build too.
for (const args of [['$x', -0, 1n, undefined, null, true, NaN, Infinity, 'Z', '\\u2028', '\\ud800']]) {
  assert.equal(key.encodePrimitiveArgs(args), await encodeReply(args, { temporaryReferences: createTemporaryReferenceSet() }));
}
console.log('ok');
`;

it('production build: component hits are copies with this call’s children; data and typed arrays are never shared', async () => {
  expect(await runInProductionBuild('production', script)).toBe('ok');
}, 120_000);

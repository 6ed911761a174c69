// Captured values of inline 'use cache' functions, end to end: a page compiled by the plugin binds
// a cached function to a secret; called on the server it keys by the values themselves; sent to the
// browser through React's Flight server it carries only a ciphertext, which comes back through
// encodeReply -> decodeReply and opens to the same entry. Forged, tampered, truncated, oversized,
// foreign (another reference, another key) and malformed bound values are rejected before the key
// or the body, and values that cannot be encoded fail with an error naming them.
import { createCipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webpackModules } from '../actions/webpack-globals.js';
import {
  ciphertexts,
  createActionEndpoint,
  createCallServer,
  decodeInBrowser,
  encodeReply,
  renderToBytes,
  text,
  type Fn,
} from '../actions/framework.js';
import { flipChar } from '../actions/helpers.js';
import {
  encryptBound,
  encryptOnSend,
  InvalidBoundArgumentsError,
  resetCache,
  setEncryptionKey,
} from '../../src/runtime/index.js';
import { compileApp, type CompiledApp } from '../support/compile-app.js';
import { repoRoot } from '../support/fixtures.js';
// @ts-expect-error -- react-server-dom-webpack publishes no types.
import { renderToReadableStream } from 'react-server-dom-webpack/server';

const SECRET = 'sk_live_TOP_SECRET_4242';
const PAGE = `
  export const runs = { n: 0, seen: [] };
  export async function Page({ apiToken, user }) {
    async function loadVisits(day) {
      'use cache';
      runs.n++;
      runs.seen.push(user);
      user.touched = true; // the body gets decoded copies: the caller's object stays as it was
      return { name: user.name, day, visits: apiToken.length };
    }
    return { title: 'Visits', load: loadVisits };
  }
  export async function Unsendable({ db }) {
    async function load(day) {
      'use cache';
      runs.n++;
      return db.query(day);
    }
    return { load };
  }
`;

const MODULE_ID = 'test/runtime/captured-values/page.mjs';
let app: CompiledApp;
let id: string;
let endpoint: ReturnType<typeof createActionEndpoint>;

beforeAll(async () => {
  setEncryptionKey(Buffer.alloc(32, 9));
  app = await compileApp({ 'page.jsx': PAGE }, 'page.jsx');
  id = app.references.find((r) => r.kind === 'cache' && r.captures.includes('user'))!.id;
  webpackModules.set(MODULE_ID, app.module);
  endpoint = createActionEndpoint({ [id]: { id: MODULE_ID, chunks: [], name: '$$cache_0' } });
});
beforeEach(() => {
  resetCache();
  app.module.runs.n = 0;
  app.module.runs.seen.length = 0;
});

type Props = { title: string; load: Fn };
const page = (user: { name: string }, apiToken = SECRET): Promise<Props> => app.module.Page({ apiToken, user });
const cached = (...args: unknown[]): Promise<unknown> => app.module.$$cache_0(...args);

/** A seal in the runtime's format, base64url(iv | tag | ciphertext), with any key. */
function sealWith(key: Buffer, aad: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

describe('an inline cached function bound to a secret', () => {
  it('called on the server: runs once per set of captured values, keyed by the values', async () => {
    const ada = { name: 'ada' };
    const first = await page(ada);
    expect(await first.load('monday')).toEqual({ name: 'ada', day: 'monday', visits: SECRET.length });
    // Another render binds the same values anew: the same entry.
    expect(await (await page({ name: 'ada' })).load('monday')).toEqual(await first.load('monday'));
    expect(app.module.runs.n).toBe(1);
    // Other values, other entries: the key covers the captured values themselves.
    await (await page({ name: 'bob' })).load('monday');
    await (await page({ name: 'ada' }, 'another token')).load('monday');
    expect(app.module.runs.n).toBe(3);
    // The body saw decoded copies, as it does for a call from the browser.
    expect(ada).toEqual({ name: 'ada' });
    expect(app.module.runs.seen[0]).not.toBe(ada);
  });

  it('large captured values (100 KB) are keyed by their whole content too', async () => {
    const bio = 'x'.repeat(100_000);
    await (await page({ name: 'ada', bio } as { name: string })).load('monday');
    await (await page({ name: 'ada', bio } as { name: string })).load('monday');
    expect(app.module.runs.n).toBe(1);
    await (await page({ name: 'ada', bio: bio.slice(1) + 'y' } as { name: string })).load('monday');
    expect(app.module.runs.n).toBe(2);
  });

  it('in the Flight payload of the page: a ciphertext, never the secret', async () => {
    // A name with a space: it cannot turn up by chance in a hex id or a base64url ciphertext.
    const payload = text(await renderToBytes(await page({ name: 'Ada Lovelace' })));
    expect(payload).toContain(id);
    expect(payload).not.toContain(SECRET);
    expect(payload).not.toContain('Ada Lovelace');
    expect(ciphertexts(payload)).toHaveLength(1);
    expect(app.module.runs.n).toBe(0); // sending the reference runs nothing
  });

  it('called back from the browser: the ciphertext opens to the same entry as a call on the server', async () => {
    const { callServer, sent } = createCallServer(endpoint);
    await (await page({ name: 'ada' })).load('monday');
    const props = await decodeInBrowser<Props>(await renderToBytes(await page({ name: 'ada' })), callServer);
    expect(await props.load('monday')).toEqual({ name: 'ada', day: 'monday', visits: SECRET.length });
    expect(app.module.runs.n).toBe(1); // a hit: the browser's call found the server's entry
    expect(await props.load('tuesday')).toEqual({ name: 'ada', day: 'tuesday', visits: SECRET.length });
    expect(app.module.runs.n).toBe(2);
    for (const body of sent) {
      const entries = typeof body === 'string' ? [body] : [...body.values()].map(String);
      for (const entry of entries) expect(entry).not.toContain(SECRET);
    }
  });

  it('rejects a request whose ciphertext was tampered with on the way, before the body runs', async () => {
    const payload = text(await renderToBytes(await page({ name: 'ada' })));
    const [sealed] = ciphertexts(payload);
    const tamperingCallServer = async (target: string, args: unknown[]) => {
      const body = (await encodeReply(args)) as string | FormData;
      const edit = (value: string) => value.replace(sealed!, flipChar(sealed!, 30));
      let edited: string | FormData;
      if (typeof body === 'string') edited = edit(body);
      else {
        edited = new FormData();
        for (const [key, value] of body.entries()) edited.append(key, typeof value === 'string' ? edit(value) : value);
      }
      expect(JSON.stringify([...(typeof edited === 'string' ? [edited] : edited.values())])).not.toContain(sealed);
      return decodeInBrowser(new Uint8Array(await new Response(await endpoint(target, edited)).arrayBuffer()), () => {
        throw new Error('unexpected');
      });
    };
    const props = await decodeInBrowser<Props>(new TextEncoder().encode(payload), tamperingCallServer);
    await expect(props.load('monday')).rejects.toThrow(`Invalid or tampered bound arguments for cached function ${id}`);
    expect(app.module.runs.n).toBe(0);
  });
});

describe('two copies of the runtime in one process (a bundled server next to the package)', () => {
  it("a holder of the other copy is sealed and opened: the same entry, another reference's still rejected", async () => {
    const other = (await import(pathToFileURL(join(repoRoot, 'dist/runtime/index.js')).href)) as {
      encryptOnSend: typeof encryptOnSend;
    };
    const values = [{ name: 'ada' }, SECRET.length];
    expect(await cached(encryptOnSend(id, values), 'monday')).toEqual(
      await cached(other.encryptOnSend(id, values), 'monday'),
    );
    expect(app.module.runs.n).toBe(1);
    await expect(cached(other.encryptOnSend('f'.repeat(64), values), 'monday')).rejects.toThrow(
      InvalidBoundArgumentsError,
    );
    expect(app.module.runs.n).toBe(1);
  });
});

describe('forged captured values are rejected before the key or the body', () => {
  it('tampered, truncated, extended, foreign, other-key, oversized and malformed ones', async () => {
    const genuine = await encryptOnSend(id, [{ name: 'ada' }, SECRET.length]);
    expect(await cached(genuine, 'monday')).toEqual({ name: 'ada', day: 'monday', visits: SECRET.length });
    expect(app.module.runs.n).toBe(1);
    resetCache();
    app.module.runs.n = 0;

    const plaintext = 'J' + JSON.stringify([{ name: 'mallory' }, 99]);
    const forged: [string, unknown][] = [
      ['iv changed', flipChar(genuine, 3)],
      ['tag changed', flipChar(genuine, 20)],
      ['ciphertext changed', flipChar(genuine, genuine.length - 2)],
      ['truncated', genuine.slice(0, -4)],
      ['header only', genuine.slice(0, 37)],
      ['extended', genuine + 'AAAA'],
      ['sealed for another reference', await encryptBound('f'.repeat(64), [{ name: 'mallory' }, 99])],
      ['sealed with another key', sealWith(randomBytes(32), id, plaintext)],
      ['oversized (8 MB)', randomBytes(6 * 1024 * 1024).toString('base64url')],
      ['not base64url', `${genuine.slice(0, 20)}+/=${genuine.slice(23)}`],
      ['the plain values', [{ name: 'mallory' }, 99]],
      ['their JSON', plaintext],
      ['a number', 42],
      ['null', null],
      ['undefined', undefined],
      ['an object', { iv: 'x', tag: 'y' }],
      ['a rejected promise', Promise.reject(new Error('boom'))],
      ['a thenable that throws', { then: () => { throw new Error('boom'); } }], // prettier-ignore
      ['a holder of another reference', encryptOnSend('f'.repeat(64), [{ name: 'mallory' }, 99])],
    ];
    for (const [what, bound] of forged) {
      const call = cached(bound, 'monday');
      await expect(call, what).rejects.toThrow(InvalidBoundArgumentsError);
      await expect(call, what).rejects.toMatchObject({
        code: 'ERR_INVALID_BOUND_ARGUMENTS',
        message: expect.stringContaining(`bound arguments for cached function ${id}`),
      });
    }
    expect(app.module.runs.n).toBe(0);
  });
});

describe('captured values that cannot be encoded', () => {
  const db = new (class Db {
    async query(day: string) {
      return `rows for ${day}`;
    }
  })();
  const message = /the values captured by cached function [0-9a-f]{64} cannot be encoded: .*Classes or null prototypes/;

  it('fail a call on the server with an error that names the problem (a value the key cannot cover)', async () => {
    const { load } = await app.module.Unsendable({ db });
    await expect(load('monday')).rejects.toThrow(message);
    await expect(load('monday')).rejects.toThrow(TypeError);
    expect(app.module.runs.n).toBe(0);
  });

  it('fail the render that sends the reference to a client, through onError, never the process', async () => {
    const errors: unknown[] = [];
    const stream = renderToReadableStream(
      await app.module.Unsendable({ db }),
      {},
      {
        onError: (error: unknown) => void errors.push(error),
      },
    ) as ReadableStream<Uint8Array>;
    const payload = await new Response(stream).text();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(message);
    expect(payload).not.toContain('rows for');
    expect(app.module.runs.n).toBe(0);
  });
});

// docs/runtime.md's server snippet (one withRequestScope per request) is
// request-scope-server/server.mjs, run here as a real server: private entries live one request,
// draft mode (the preview secret) reads and stores nothing, other requests share the cache.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/redis-server.js';

const dir = fileURLToPath(new URL('./request-scope-server/', import.meta.url));
let server: ChildProcess;
let url: string;
let output = '';

beforeAll(async () => {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    PREVIEW_SECRET: 'let-me-see',
    NODE_ENV: 'production',
  };
  delete env.NODE_OPTIONS;
  server = spawn(process.execPath, ['--conditions', 'react-server', 'server.mjs'], { cwd: dir, env });
  server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server.mjs exited:\n${output}`);
    try {
      await fetch(url, { method: 'HEAD' });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`server.mjs did not answer:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}, 30_000);

afterAll(async () => {
  if (server.exitCode === null && server.signalCode === null) {
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  }
});

async function get(headers: Record<string, string> = {}): Promise<{ greeting: string; carts: string[] }> {
  const response = await fetch(url, { headers });
  expect(response.status, output).toBe(200);
  return (await response.json()) as { greeting: string; carts: string[] };
}

describe("docs/runtime.md's server snippet", () => {
  it('is request-scope-server/server.mjs', () => {
    const docs = readFileSync(new URL('../../docs/runtime.md', import.meta.url), 'utf8');
    const snippet = /```js\n\/\/ server\.mjs[^\n]*\n([\s\S]*?)```/.exec(docs)?.[1];
    const code = (text: string) => text.replace(/^\/\/.*\n/gm, '').trim();
    expect(snippet).toBeDefined();
    expect(code(snippet!)).toBe(code(readFileSync(new URL('server.mjs', `file://${dir}`), 'utf8')));
  });

  it('opens one scope per request: private entries live one request, shared ones are shared', async () => {
    const first = await get({ 'x-user': 'ada' });
    expect(first.carts[0]).toMatch(/^cart of ada #\d+$/);
    expect(first.carts[1]).toBe(first.carts[0]); // cached within the request
    const second = await get({ 'x-user': 'ada' });
    expect(second.carts[0]).not.toBe(first.carts[0]); // not across requests
    expect(second.carts[1]).toBe(second.carts[0]);
    expect(second.greeting).toBe(first.greeting); // the shared entry is a hit
  });

  it('a preview request runs in draft mode: it reads and stores nothing', async () => {
    const before = await get();
    const draft = await get({ 'x-preview': 'let-me-see' });
    expect(draft.greeting).not.toBe(before.greeting); // computed, not read
    expect((await get()).greeting).toBe(before.greeting); // and not stored
    expect((await get({ 'x-preview': 'wrong' })).greeting).toBe(before.greeting);
  });
});

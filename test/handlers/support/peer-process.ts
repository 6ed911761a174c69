/**
 * Another Node process (`node --conditions react-server`) driven over stdin/stdout, one JSON line
 * per command and per answer: `peer.mjs` (a handler) or `runtime-peer.mjs` (cached functions
 * through the runtime).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { compiledRuntime } from './compile-handlers.js';

const script = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

export interface Peer {
  call<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
  readonly process: ChildProcess;
}

/** A process using one handler directly. */
export async function startPeer(kind: 'redis' | 'fs', options: Record<string, unknown>): Promise<Peer> {
  const dir = await compiledRuntime();
  const factory = kind === 'redis' ? 'createRedisHandler' : 'createFsHandler';
  return spawnPeer(script('peer.mjs'), [join(dir, `handlers/${kind}.js`), factory, JSON.stringify(options)]);
}

/** A process running cached functions through the runtime, with this handler as `default`. */
export async function startRuntimePeer(kind: 'redis' | 'fs', options: Record<string, unknown>): Promise<Peer> {
  const dir = await compiledRuntime();
  return spawnPeer(script('runtime-peer.mjs'), [dir, kind, JSON.stringify(options)]);
}

async function spawnPeer(path: string, args: string[]): Promise<Peer> {
  const child = spawn(process.execPath, ['--conditions', 'react-server', path, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as { id?: number; ready?: boolean; result?: unknown; error?: string };
    if (message.ready) return ready();
    const pending = waiting.get(message.id!);
    waiting.delete(message.id!);
    if (message.error !== undefined) pending?.reject(new Error(message.error));
    else pending?.resolve(message.result);
  });
  child.on('exit', (code) => {
    for (const { reject } of waiting.values()) reject(new Error(`peer exited (${code})`));
    waiting.clear();
  });
  await Promise.race([
    started,
    once(child, 'exit').then(([code]) => {
      throw new Error(`peer exited before it was ready (${code})`);
    }),
  ]);
  return {
    process: child,
    call<T>(op: string, args: Record<string, unknown> = {}) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.stdin!.write(JSON.stringify({ id, op, ...args }) + '\n');
      });
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.write(JSON.stringify({ id: 0, op: 'close' }) + '\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

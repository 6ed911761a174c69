/**
 * A real `redis-server` for tests: a child process on a free loopback port, no persistence, that
 * a test can kill and start again on the same port.
 *
 * When `redis-server` is not installed: under CI (`process.env.CI` set) `requireRedisServer()`
 * throws (the suite fails loudly); elsewhere it prints a loud message and returns false so the
 * suite can `describe.skipIf`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';

export const redisServerInstalled: boolean = (() => {
  const probe = spawnSync(BINARY, ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
})();

/** True when tests can start a redis-server; throws under CI when they cannot. */
export function requireRedisServer(suite: string): boolean {
  if (redisServerInstalled) return true;
  const message = `redis-server is not installed: ${suite} cannot run (apt-get install redis-server)`;
  if (process.env.CI) throw new Error(`${message}. CI must install it (.ci/run does).`);
  console.warn(`\n!!!!!!!!!!\n!!! SKIPPED: ${message}\n!!!!!!!!!!\n`);
  return false;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** SIGKILL the server (no clean shutdown); resolves when the process has exited. */
  kill(): Promise<void>;
  /** Start it again on the same port (empty: nothing is persisted). */
  start(): Promise<void>;
  /** kill() + start(). */
  restart(): Promise<void>;
  /** Stop for good. */
  stop(): Promise<void>;
  /** Send one command through a fresh raw connection; resolves with the raw RESP reply text. */
  raw(...args: (string | Buffer)[]): Promise<string>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    output = '';
    const proc = spawn(
      BINARY,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
        '--enable-debug-command',
        'yes',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited (${proc.exitCode}):\n${output}`);
      try {
        if ((await send(port, ['PING'])).startsWith('+PONG')) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}:\n${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function kill(): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    async restart() {
      await kill();
      await start();
    },
    stop: kill,
    raw: (...args) => send(port, args),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One RESP command over a fresh connection; the reply's text (enough for PING / SET / DEBUG). */
function send(port: number, args: (string | Buffer)[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const arg of args) {
      const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(arg);
      parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
    }
    let reply = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('raw redis command timed out')));
    socket.on('error', reject);
    socket.on('data', (d) => {
      reply += d.toString('latin1');
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply);
      }
    });
    socket.on('connect', () => socket.write(Buffer.concat(parts)));
  });
}

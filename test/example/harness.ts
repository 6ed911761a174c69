/**
 * Harness for the example apps' browser tests: starts `examples/app/scripts/demo.mjs` (which
 * builds the app with webpack and serves it) or `examples/vite/scripts/demo.mjs` (Vite) on a free
 * loopback port, launches Debian's Chromium through playwright-core, and reads Flight payloads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const DEMO = fileURLToPath(new URL('../../examples/app/scripts/demo.mjs', import.meta.url));
/** `npm run demo:vite`'s script: builds examples/vite with Vite and serves it with `vite preview`. */
export const VITE_DEMO = fileURLToPath(new URL('../../examples/vite/scripts/demo.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** True when the browser tests can run; throws under CI (which must install chromium). */
export function requireChromium(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `${CHROMIUM} is not installed: ${suite} cannot run (apt-get install chromium)`;
  if (process.env.CI) throw new Error(`${message}. CI must install it (.ci/run does).`);
  console.warn(`\n!!!!!!!!!!\n!!! SKIPPED: ${message}\n!!!!!!!!!!\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface RunningApp {
  readonly url: string;
  /** Everything the server process wrote so far (build output, logged errors). */
  output(): string;
  /** True while the server process is alive. */
  alive(): boolean;
  stop(): Promise<void>;
}

/** Builds and starts an example app (`script`: its demo, given `args`) on 127.0.0.1 with a port the OS picks. */
export function startApp(timeoutMs: number, script = DEMO, args: string[] = []): Promise<RunningApp> {
  const child: ChildProcess = spawn(process.execPath, [script, ...args], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const app = (url: string): RunningApp => ({
    url,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(app(match[1]!));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

/** The Flight payload of the page at `url`, as the browser asks for it. */
export async function fetchFlight(url: string): Promise<string> {
  const response = await fetch(url, { headers: { accept: 'text/x-component' } });
  if (!response.ok) throw new Error(`GET ${url} (Flight) -> ${response.status}: ${await response.text()}`);
  return response.text();
}

/** JSON model rows of a Flight payload (`<hex id>:<json>`), by row id; other row kinds skipped. */
export function flightRows(payload: string): Map<number, unknown> {
  const rows = new Map<number, unknown>();
  for (const line of payload.split('\n')) {
    const match = /^([0-9a-f]+):(.*)$/s.exec(line);
    if (!match || !/^[[{"\d-tfn]/.test(match[2]!)) continue;
    try {
      rows.set(Number.parseInt(match[1]!, 16), JSON.parse(match[2]!));
    } catch {
      // text or binary rows
    }
  }
  return rows;
}

/** Follows `"$@<id>"` (promise) and `"$<id>"` (outlined model) references to their rows. */
export function resolveFlightValue(rows: Map<number, unknown>, value: unknown, depth = 0): unknown {
  if (depth > 20) return value;
  if (typeof value === 'string') {
    const ref = /^\$@?([0-9a-f]+)$/.exec(value);
    if (ref && rows.has(Number.parseInt(ref[1]!, 16))) {
      return resolveFlightValue(rows, rows.get(Number.parseInt(ref[1]!, 16)), depth + 1);
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => resolveFlightValue(rows, v, depth + 1));
  return value;
}

/** Server references with bound arguments in a Flight payload: their id and bound values. */
export function boundServerReferences(payload: string): { id: string; bound: unknown[] }[] {
  const rows = flightRows(payload);
  const found: { id: string; bound: unknown[] }[] = [];
  for (const row of rows.values()) {
    if (row && typeof row === 'object' && !Array.isArray(row) && 'id' in row && 'bound' in row) {
      const { id, bound } = row as { id: unknown; bound: unknown };
      const values = resolveFlightValue(rows, bound);
      if (typeof id === 'string' && Array.isArray(values)) found.push({ id, bound: values });
    }
  }
  return found;
}

/**
 * The browser's `encodeReply` (what callServer sends), for calling actions from the test process.
 * The browser build of the Flight client looks for webpack's globals when it loads; nothing here
 * resolves modules through them.
 */
export async function encodeReply(args: unknown[]): Promise<string | FormData> {
  const scope = globalThis as Record<string, unknown>;
  scope.__webpack_require__ ??= (id: unknown) => {
    throw new Error(`no webpack modules in the test process (asked for ${String(id)})`);
  };
  scope.__webpack_chunk_load__ ??= () => Promise.resolve();
  // @ts-expect-error -- react-server-dom-webpack has no type declarations
  const client = await import('react-server-dom-webpack/client.browser');
  return client.encodeReply(args);
}

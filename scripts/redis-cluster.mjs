#!/usr/bin/env node
// A real Redis Cluster on loopback for tests, CI and benchmarks: N masters (default 3), no
// replicas, no persistence, each a daemonized `redis-server --cluster-enabled yes`, joined by
// `redis-cli --cluster create ... --cluster-yes`.
//
//   node scripts/redis-cluster.mjs start <dir> [port,port,port]   prints the node URLs, one a line
//   node scripts/redis-cluster.mjs stop <dir>
//
// Everything lives in <dir> (one sub-directory per node: its nodes.conf, pid file and log), so
// `stop`, and a test that kills one master and starts it again, need nothing but the dir. A node
// started again keeps its identity and slots (nodes.conf) and rejoins; its data is gone.
// `cluster-require-full-coverage no`: while a master is down the other slots keep answering.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli';

/** Start a cluster of `ports.length` masters (free ports when not given) with its state in `dir`. */
export async function startCluster(dir, ports) {
  dir = resolve(dir);
  ports = ports?.length ? ports : await freeClusterPorts(3);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ports'), ports.join(',') + '\n');
  for (const port of ports) {
    const nodeDir = join(dir, String(port));
    rmSync(nodeDir, { recursive: true, force: true });
    mkdirSync(nodeDir, { recursive: true });
    startNode(dir, port);
  }
  for (const port of ports) await waitFor(port, () => cli(port, 'PING') === 'PONG', `node ${port} answering`);
  const create = spawnSync(
    CLI,
    ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8' },
  );
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}${create.stderr}`);
  for (const port of ports) await waitForClusterOk(port);
  return handle(dir, ports);
}

/** The cluster whose state is in `dir` (started by `startCluster`, maybe by another process). */
export function attachCluster(dir) {
  dir = resolve(dir);
  const ports = readFileSync(join(dir, 'ports'), 'utf8').trim().split(',').map(Number);
  return handle(dir, ports);
}

function handle(dir, ports) {
  return {
    dir,
    ports,
    urls: ports.map((p) => `redis://127.0.0.1:${p}`),
    /** SIGKILL one node (no clean shutdown); resolves when it no longer answers. */
    async kill(port) {
      killNode(dir, port, 'SIGKILL');
      await waitFor(port, () => cli(port, 'PING') !== 'PONG', `node ${port} gone`);
    },
    /** Start a killed node again (same identity and slots, empty); resolves when the cluster is ok. */
    async start(port) {
      startNode(dir, port);
      await waitFor(port, () => cli(port, 'PING') === 'PONG', `node ${port} answering`);
      for (const p of ports) await waitForClusterOk(p);
    },
    /** Stop every node and remove the state directory. */
    stop() {
      for (const port of ports) killNode(dir, port, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function startNode(dir, port) {
  const nodeDir = join(dir, String(port));
  // prettier-ignore
  execFileSync(SERVER, [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'no',
    '--cluster-enabled', 'yes', '--cluster-config-file', join(nodeDir, 'nodes.conf'),
    '--cluster-node-timeout', '1000', '--cluster-require-full-coverage', 'no',
    '--save', '', '--appendonly', 'no', '--dir', nodeDir,
    '--daemonize', 'yes', '--pidfile', join(nodeDir, 'pid'), '--logfile', join(nodeDir, 'log'),
    '--enable-debug-command', 'yes',
  ]);
}

function killNode(dir, port, signal) {
  const pidFile = join(dir, String(port), 'pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  rmSync(pidFile, { force: true });
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function cli(port, ...args) {
  const r = spawnSync(CLI, ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 2000 });
  return (r.stdout ?? '').trim();
}

async function waitForClusterOk(port) {
  await waitFor(port, () => /cluster_state:ok/.test(cli(port, 'CLUSTER', 'INFO')), `cluster_state:ok on ${port}`);
}

async function waitFor(port, ok, what, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`redis cluster: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `count` ports p (loopback) whose cluster bus port p + 10000 is free too. */
async function freeClusterPorts(count) {
  const ports = [];
  while (ports.length < count) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    if (!ports.includes(port) && (await isFree(port)) && (await isFree(port + 10000))) ports.push(port);
  }
  return ports;
}

function isFree(port) {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [command, dir, portList] = process.argv.slice(2);
  if (!dir || (command !== 'start' && command !== 'stop')) {
    console.error('usage: redis-cluster.mjs start <dir> [port,port,port] | stop <dir>');
    process.exit(2);
  }
  if (command === 'start') {
    const cluster = await startCluster(dir, portList?.split(',').map(Number));
    console.log(cluster.urls.join('\n'));
  } else if (existsSync(join(resolve(dir), 'ports'))) {
    attachCluster(dir).stop();
  } else {
    for (const name of existsSync(dir) ? readdirSync(dir) : []) killNode(resolve(dir), Number(name), 'SIGKILL');
  }
}

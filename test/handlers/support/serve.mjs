// The child side of peer-process.ts: answer JSON commands read from stdin, one a line.
import { createInterface } from 'node:readline';

/** `ops[op](args)` for each `{ id, op, ...args }` line; answers `{ id, result }` or `{ id, error }`. */
export function serve(ops) {
  createInterface({ input: process.stdin }).on('line', async (line) => {
    const { id, op, ...args } = JSON.parse(line);
    try {
      const result = await ops[op](args);
      process.stdout.write(JSON.stringify({ id, result: result ?? null }) + '\n');
    } catch (error) {
      process.stdout.write(JSON.stringify({ id, error: String(error?.message ?? error) }) + '\n');
    }
  });
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
}

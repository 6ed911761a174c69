// Types of redis-cluster.mjs, for the TypeScript tests and benchmarks that import it.
export interface RedisClusterHandle {
  readonly dir: string;
  readonly ports: number[];
  readonly urls: string[];
  kill(port: number): Promise<void>;
  start(port: number): Promise<void>;
  stop(): void;
}
export function startCluster(dir: string, ports?: number[]): Promise<RedisClusterHandle>;
export function attachCluster(dir: string): RedisClusterHandle;

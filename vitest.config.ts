import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Compiled fixtures import the runtime by its package name; tests run it from source.
    alias: [
      { find: /^babel-plugin-use-cache\/runtime$/, replacement: src('runtime/index.ts') },
      { find: /^babel-plugin-use-cache\/client$/, replacement: src('client/index.ts') },
      { find: /^babel-plugin-use-cache\/handlers\/(.*)$/, replacement: src('runtime/handlers/$1.ts') },
    ],
  },
  ssr: {
    resolve: { conditions: ['react-server', 'node', 'import', 'default'], externalConditions: ['react-server'] },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // dist/ is built once here, before the test files run (only when the sources changed).
    globalSetup: ['test/global-setup.ts'],
    // The Next.js app test builds an app: its own script, `npm run test:next`.
    // Projects the tests generate (test/recipes, in test/.out) run their own tests with their own config.
    exclude: [...configDefaults.exclude, 'test/next-app/**', 'test/.out/**'],
    environment: 'node',
    // react-server-dom-webpack/server resolves to its Node build only under this condition.
    execArgv: ['--conditions=react-server'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

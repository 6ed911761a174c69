// `npm run test:next`: the Next.js 16 app test, kept out of the default run (it builds an app).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/next-app/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 400_000,
  },
});

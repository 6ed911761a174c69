// Compiles 'use cache' with babel-plugin-use-cache in Vite's `rsc` environment (the server
// components' graph), before plugin-rsc and Vite's own JSX/TypeScript transform see the file.
// 'use server' is left to @vitejs/plugin-rsc, which compiles it itself.
import { transformAsync } from '@babel/core';

/** @returns {import('vite').Plugin} */
export default function useCache() {
  return {
    name: 'use-cache',
    enforce: 'pre',
    applyToEnvironment: (environment) => environment.name === 'rsc',
    transform: {
      filter: { id: /\.[cm]?[jt]sx?$/, code: 'use cache' },
      async handler(code, id) {
        if (id.includes('/node_modules/')) return;
        const result = await transformAsync(code, {
          filename: id,
          babelrc: false,
          configFile: false,
          sourceMaps: true,
          parserOpts: { plugins: ['jsx', 'typescript'] },
          plugins: [['babel-plugin-use-cache', { directives: ['use cache'] }]],
        });
        return result?.code == null ? undefined : { code: result.code, map: result.map };
      },
    },
  };
}

import rsc from '@vitejs/plugin-rsc';
import { defineConfig } from 'vite';
import useCache from './use-cache.js';

export default defineConfig({
  plugins: [
    useCache(),
    rsc({
      entries: {
        rsc: './src/framework/entry.rsc.jsx',
        ssr: './src/framework/entry.ssr.jsx',
        client: './src/framework/entry.browser.jsx',
      },
    }),
  ],
});

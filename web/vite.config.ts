// Builds the agent app into web/dist, which `switchboard serve` serves at `/`
// (docs/operations.md). `npm run dev` proxies the API to a server on SB_API
// (default http://127.0.0.1:8080) so the app can be worked on with live reload.
import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';

const api = process.env.SB_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [preact()],
  build: {
    target: 'es2020',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { app: 'index.html', sw: 'src/sw.ts' },
      output: {
        // The service worker keeps a fixed name (its scope is `/`); everything else is
        // content-hashed under assets/ and cached for good.
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: {
    proxy: {
      '/api/v1/events': { target: api.replace(/^http/, 'ws'), ws: true },
      '/api': api,
    },
  },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
  },
});

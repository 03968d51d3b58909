import react from '@vitejs/plugin-react';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const buildInfoPath = fileURLToPath(new URL('../../dist/build-info.json', import.meta.url));

/**
 * Stamps index.html with the version and commit of this build (written by build:server just
 * before), so an operator or the installer can tell which UI a browser was given.
 */
function stampBuild(): Plugin {
  return {
    name: 'ozvps-stamp-build',
    transformIndexHtml() {
      if (!existsSync(buildInfoPath)) return [];
      const info = JSON.parse(readFileSync(buildInfoPath, 'utf8')) as { version: string; commit: string };
      return [
        {
          tag: 'meta',
          attrs: { name: 'ozvps-build', content: `${info.version} ${info.commit}` },
          injectTo: 'head',
        },
      ];
    },
  };
}

// Built into dist/web, which the API serves; hashed names under /assets are cached for a year.
export default defineConfig({
  root,
  plugins: [react(), stampBuild()],
  resolve: {
    alias: {
      '@ozvps/contracts': fileURLToPath(new URL('../../libs/contracts/src/index.ts', import.meta.url)),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});

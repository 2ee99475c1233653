import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { pageShell } from './page-shell.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The hosted pages: one HTML entry per page, built into dist/web, which the service serves.
 * No inline script or style may appear in the output (the pages' CSP forbids both), so the
 * module-preload polyfill — which Vite would inline — is off; every supported browser has it.
 * The document every page shares is added by `pageShell` (web/page-shell.ts).
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  plugins: [pageShell()],
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        login: here('index.html'),
        account: here('account/index.html'),
        console: here('console/index.html'),
        phone: here('dev/phone/index.html'),
      },
    },
  },
});

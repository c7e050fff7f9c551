import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const clientDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = fileURLToPath(new URL('..', import.meta.url));
// Where `vite` (dev) forwards Socket.IO and the HTTP API; the Viva server listens on PORT 3000 by default.
const serverUrl = process.env.VIVA_DEV_SERVER_URL ?? 'http://127.0.0.1:3000';

/** Client build: root client/, output client/dist (served by the Viva server at `/`). */
export default defineConfig({
  root: clientDir,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  // The capture worklet is loaded with `?worker&url`; ES format keeps it a plain module for audioWorklet.addModule.
  worker: { format: 'es' },
  server: {
    // The client imports ../protocol, outside the Vite root.
    fs: { allow: [repoDir] },
    proxy: {
      '/socket.io': { target: serverUrl, ws: true },
      '/api': { target: serverUrl },
    },
  },
});

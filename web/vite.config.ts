import react from '@vitejs/plugin-react';
import compression from 'compression';
import type { Connect, Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { apiPaths, apiProxy, baseSecurityHeaders, securityHeaders } from './server-config.ts';

/** The built console is sent compressed, as CloudFront sends it (the API's responses pass through as they are). */
const compressConsole: Plugin = {
  name: 'pm-compress-console',
  configurePreviewServer(server) {
    const compress = compression({
      filter: (request, response) => !apiPaths.some((prefix) => request.url?.startsWith(prefix)) && compression.filter(request, response),
    });
    // compression is typed for Express; it works on Node's request and response, as Connect passes them.
    server.middlewares.use(compress as unknown as Connect.NextHandleFunction);
  },
};

/** Where the API answers: `npm run dev` starts it on port 4000. */
const apiTarget = process.env.PM_API_URL ?? 'http://localhost:4000';

export default defineConfig({
  plugins: [react(), compressConsole],
  server: { port: 5173, strictPort: true, proxy: apiProxy(apiTarget), headers: baseSecurityHeaders },
  preview: { port: 4173, strictPort: true, proxy: apiProxy(apiTarget), headers: securityHeaders },
  build: { target: 'es2022', sourcemap: false, reportCompressedSize: false },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});

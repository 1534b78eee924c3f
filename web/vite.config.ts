import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { apiProxy, baseSecurityHeaders, securityHeaders } from './server-config.ts';

/** Where the API answers: `npm run dev` starts it on port 4000. */
const apiTarget = process.env.PM_API_URL ?? 'http://localhost:4000';

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true, proxy: apiProxy(apiTarget), headers: baseSecurityHeaders },
  preview: { port: 4173, strictPort: true, proxy: apiProxy(apiTarget), headers: securityHeaders },
  build: { target: 'es2022', sourcemap: false, reportCompressedSize: false },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});

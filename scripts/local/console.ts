/**
 * The web console (web/) beside a running API, on one origin: the console's server proxies /api, /auth and
 * /.well-known to the API. `npm run dev` uses the Vite dev server (rebuilds on change); tests, benchmarks and
 * screenshots use the production build under `vite preview` with the console's security headers.
 */
import path from 'node:path';
import { build, createServer, preview, type InlineConfig } from 'vite';
import { apiProxy } from '../../web/server-config.js';

const root = path.resolve(import.meta.dirname, '../../web');

export interface ConsoleServer {
  url: string;
  stop(): Promise<void>;
}

/** Production build into web/dist (what CloudFront serves in AWS). */
export async function buildConsole(): Promise<void> {
  await build({ root, logLevel: 'warn' });
}

function inline(apiUrl: string, port: number): InlineConfig {
  return {
    root,
    logLevel: 'warn',
    server: { port, proxy: apiProxy(apiUrl) },
    preview: { port, proxy: apiProxy(apiUrl) },
  };
}

/** Serves web/dist (build it first) in front of the API at `apiUrl`. */
export async function serveBuiltConsole(apiUrl: string, port: number): Promise<ConsoleServer> {
  const server = await preview(inline(apiUrl, port));
  return {
    url: `http://localhost:${port}`,
    stop: () => new Promise<void>((resolve) => server.httpServer.close(() => resolve())),
  };
}

/** The dev server for `npm run dev`: hot reload, same proxy. */
export async function startDevConsole(apiUrl: string, port = 5173): Promise<ConsoleServer> {
  const server = await createServer(inline(apiUrl, port));
  await server.listen();
  return { url: `http://localhost:${port}`, stop: () => server.close() };
}

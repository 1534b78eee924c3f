/**
 * The web console (web/) beside a running API, on one origin: the console's server proxies /api, /auth and
 * /.well-known to the API. `npm run dev` uses the Vite dev server (rebuilds on change); tests, benchmarks and
 * screenshots use the production build under `vite preview` with the console's security headers.
 */
import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build, createServer, preview, type InlineConfig } from 'vite';
import { apiProxy } from '../../web/server-config.js';

const root = path.resolve(import.meta.dirname, '../../web');
export const consoleDist = path.join(root, 'dist');

export interface ConsoleServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Production build into web/dist (what CloudFront serves in AWS). Several runs may share this checkout: the
 * build goes to a folder of its own and replaces web/dist in one step, and servers serve a copy (below).
 */
export async function buildConsole(): Promise<void> {
  const staging = path.join(root, `.dist-${process.pid}`);
  const previous = path.join(root, `.dist-old-${process.pid}`);
  await build({ root, logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
  await rename(consoleDist, previous).catch(() => undefined);
  await rename(staging, consoleDist);
  await rm(previous, { recursive: true, force: true });
}

/** A private copy of web/dist, so that a build by another run cannot pull files from under a server. */
async function copyOfDist(): Promise<string> {
  const copy = await mkdtemp(path.join(os.tmpdir(), 'pm-console-'));
  for (let attempt = 1; ; attempt += 1) {
    try {
      await cp(consoleDist, copy, { recursive: true, errorOnExist: false, force: true });
      return copy;
    } catch (error) {
      // web/dist is being replaced this very moment, or was never built.
      if (attempt === 5) throw new Error(`cannot copy ${consoleDist} (build the console first: npm test does)`, { cause: error });
      await sleep(500);
    }
  }
}

function inline(apiUrl: string, port: number): InlineConfig {
  return {
    root,
    logLevel: 'warn',
    server: { port, proxy: apiProxy(apiUrl) },
    preview: { port, proxy: apiProxy(apiUrl) },
  };
}

/** Serves (a copy of) web/dist, built beforehand, in front of the API at `apiUrl`. */
export async function serveBuiltConsole(apiUrl: string, port: number): Promise<ConsoleServer> {
  const dist = await copyOfDist();
  const server = await preview({ ...inline(apiUrl, port), build: { outDir: dist } });
  return {
    url: `http://localhost:${port}`,
    async stop() {
      await server.close();
      await rm(dist, { recursive: true, force: true });
    },
  };
}

/** The dev server for `npm run dev`: hot reload, same proxy. */
export async function startDevConsole(apiUrl: string, port = 5173): Promise<ConsoleServer> {
  const server = await createServer(inline(apiUrl, port));
  await server.listen();
  return { url: `http://localhost:${port}`, stop: () => server.close() };
}

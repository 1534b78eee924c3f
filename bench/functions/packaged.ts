/**
 * The packaged functions (`serverless package --stage prod` output): which functions there are, their
 * handlers and events (serverless-state.json), and the size of each one's JavaScript as shipped.
 */
import { execFileSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { transform } from 'esbuild';

export interface PackagedFunction {
  name: string;
  /** Path of the handler module inside the zip, e.g. functions/patients/get-patient.mjs. */
  module: string;
  exportName: string;
  http?: { method: string; path: string };
  trigger: 'http' | 'kafka' | 'schedule';
  zip: string;
}

export interface BundleSize {
  function: string;
  /** The handler module as shipped (source maps apart). */
  shippedKb: number;
  /** Minified by esbuild (equal to shipped when the build already minifies). */
  minifiedKb: number;
  gzipKb: number;
  zipKb: number;
  sourceMapKb: number;
  /** npm packages found in the bundle (by their node_modules paths in the source map). */
  packages: string[];
}

interface ServerlessState {
  service: {
    functions: Record<string, { handler: string; events: Record<string, { method?: string; path?: string } | string>[] }>;
  };
}

export async function packagedFunctions(packageDir: string): Promise<PackagedFunction[]> {
  const state = JSON.parse(await readFile(path.join(packageDir, 'serverless-state.json'), 'utf8')) as ServerlessState;
  return Object.entries(state.service.functions).map(([name, fn]) => {
    const dot = fn.handler.lastIndexOf('.');
    const event = fn.events[0] ?? {};
    const httpApi = event.httpApi;
    const http = typeof httpApi === 'object' && httpApi.method && httpApi.path ? { method: httpApi.method, path: httpApi.path } : undefined;
    return {
      name,
      module: `${fn.handler.slice(0, dot)}.mjs`,
      exportName: fn.handler.slice(dot + 1),
      http,
      trigger: 'kafka' in event ? 'kafka' : 'schedule' in event ? 'schedule' : 'http',
      zip: path.join(packageDir, `${name}.zip`),
    };
  });
}

/** Unzips every function into `<into>/<name>/`; returns the folder of each. */
export async function unpack(functions: PackagedFunction[], into: string): Promise<Map<string, string>> {
  const folders = new Map<string, string>();
  for (const fn of functions) {
    const folder = path.join(into, fn.name);
    execFileSync('unzip', ['-q', '-o', fn.zip, '-d', folder]);
    folders.set(fn.name, folder);
  }
  return folders;
}

const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

export async function bundleSize(fn: PackagedFunction, folder: string): Promise<BundleSize> {
  const file = path.join(folder, fn.module);
  const code = await readFile(file, 'utf8');
  const minified = (await transform(code, { minify: true, format: 'esm', target: 'node20', legalComments: 'none' })).code;
  const mapFile = `${file}.map`;
  const map = await readFile(mapFile, 'utf8').catch(() => '');
  const sources = map ? ((JSON.parse(map) as { sources?: string[] }).sources ?? []) : [];
  const packages = new Set(sources.map((s) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(s)?.[1]).filter((p): p is string => Boolean(p)));
  return {
    function: fn.name,
    shippedKb: kb(Buffer.byteLength(code)),
    minifiedKb: kb(Math.min(Buffer.byteLength(code), Buffer.byteLength(minified))),
    gzipKb: kb(gzipSync(Math.min(code.length, minified.length) === code.length ? code : minified).byteLength),
    zipKb: kb((await stat(fn.zip)).size),
    sourceMapKb: kb(Buffer.byteLength(map)),
    packages: [...packages].sort(),
  };
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { httpRoute } from '../shared/http.js';

/**
 * The Redoc page built from openapi.yaml by `npm run docs` (self-contained HTML, about 300 KB). It ships as a
 * file beside the bundle (serverless.yml: the function's package.patterns), not inlined into the JavaScript
 * that every cold start parses; read on the first request, relative to the working directory: the zip's root
 * on Lambda (/var/task), the service folder under serverless offline.
 */
const pageFile = path.resolve('docs/api.html');
let redocPage: Promise<string> | undefined;

export const handler = httpRoute({ scopes: false }, async () => {
  redocPage ??= readFile(pageFile, 'utf8').catch((error: unknown) => {
    redocPage = undefined;
    throw error;
  });
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
    body: await redocPage,
  };
});

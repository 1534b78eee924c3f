/**
 * Converts openapi.yaml into functions/shared/generated/openapi.json (for /api-docs and the tests' contract
 * checks) and generates the request validators from it (scripts/openapi-validators.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { writeValidators } from './openapi-validators.js';

const source = new URL('../openapi.yaml', import.meta.url);
const target = new URL('../functions/shared/generated/openapi.json', import.meta.url);

const document: unknown = parse(await readFile(source, 'utf8'));
await mkdir(new URL('.', target), { recursive: true });
await writeFile(target, `${JSON.stringify(document, null, 2)}\n`);
await writeValidators(document as Parameters<typeof writeValidators>[0], new URL('.', target));

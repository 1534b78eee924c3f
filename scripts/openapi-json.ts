/** Converts openapi.yaml into functions/shared/generated/openapi.json for request validation and /api-docs. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parse } from 'yaml';

const source = new URL('../openapi.yaml', import.meta.url);
const target = new URL('../functions/shared/generated/openapi.json', import.meta.url);

const document: unknown = parse(await readFile(source, 'utf8'));
await mkdir(new URL('.', target), { recursive: true });
await writeFile(target, `${JSON.stringify(document, null, 2)}\n`);

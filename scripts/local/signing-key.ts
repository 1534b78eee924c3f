/**
 * LOCAL-DEVELOPMENT signing key: generated on first `npm run dev` into .local/ (gitignored) when
 * JWT_PRIVATE_KEY is not set. Deployed stages get their key from the secret store, never from here.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function ensureDevSigningKey(file: string): Promise<string> {
  if (existsSync(file)) return readFile(file, 'utf8');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, pem, { mode: 0o600 });
  return pem;
}

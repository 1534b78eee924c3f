/**
 * Lean, fast functions (issue 10): per packaged function (`serverless package --stage prod`), the bundle
 * size, import + first event in fresh processes, and for getPatient and createPatient the warm handler
 * beside the bare-`pg` ceiling. Everything runs against a throwaway database on `adminUrl`.
 *
 * Also runs on its own, e.g. to measure an older package for the "before" column:
 *   BENCH_ADMIN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *     npx tsx bench/functions.bench.ts <package dir> <results.json>
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, importPKCS8, SignJWT } from 'jose';
import { measureColdStarts, type ColdStart } from './functions/cold-start.js';
import { bundleSize, packagedFunctions, unpack, type BundleSize } from './functions/packaged.js';
import type { WarmResult } from './functions/warm.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface FunctionsResults {
  label: string;
  commit: string;
  bundles: BundleSize[];
  coldStarts: ColdStart[];
  warm: WarmResult[];
}

export interface FunctionsBenchOptions {
  packageDir: string;
  adminUrl: string;
  label: string;
  commit: string;
  billingAddress?: string;
  kafkaBrokers?: string;
  runs?: number;
  log?: (line: string) => void;
}

async function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const kid = 'bench';
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const { kty, n, e } = jwk;
  return { pem, kid, jwks: JSON.stringify({ keys: [{ kty, n, e, kid, alg: 'RS256', use: 'sig' }] }) };
}

function runWarm(env: Record<string, string>): Promise<WarmResult[]> {
  return new Promise((resolve, reject) => {
    // BENCH_WARM_NODE_ARGS adds Node options for profiling, e.g. '--cpu-prof --cpu-prof-dir=/tmp/warm-prof'.
    const nodeArgs = process.env.BENCH_WARM_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(root, 'bench/functions/warm.ts')], {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the warm benchmark exited with ${code}`));
      readFile(env.BENCH_RESULTS_FILE as string, 'utf8').then((text) => resolve(JSON.parse(text) as WarmResult[]), reject);
    });
  });
}

export async function benchmarkFunctions(options: FunctionsBenchOptions): Promise<FunctionsResults> {
  const log = options.log ?? console.log;
  const runs = options.runs ?? 20;
  const work = await mkdtemp(path.join(os.tmpdir(), 'pm-functions-bench-'));
  const { dropDatabase, ensureDatabase, withDatabase } = await import('../scripts/local/postgres.js');
  const database = `bench_functions_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(options.adminUrl, database);
  const databaseUrl = withDatabase(options.adminUrl, database);
  try {
    const functions = await packagedFunctions(options.packageDir);
    const folders = await unpack(functions, work);
    // The nodejs22.x runtime provides the AWS SDK v3 outside the bundle; here it is ours.
    await mkdir(path.join(work, 'node_modules'), { recursive: true });
    await symlink(path.join(root, 'node_modules/@aws-sdk'), path.join(work, 'node_modules/@aws-sdk'));
    const bundles: BundleSize[] = [];
    for (const fn of functions) bundles.push(await bundleSize(fn, folders.get(fn.name) as string));

    const { migrateToLatest } = await import('../scripts/migrate.js');
    await migrateToLatest(databaseUrl);
    const { DEV_USER, seedDevUser } = await import('../scripts/local/seed.js');
    await seedDevUser(databaseUrl);
    const { createDb } = await import('../functions/shared/db.js');
    const { createPatient } = await import('../functions/patients/patients.service.js');
    const { patientBody } = await import('./functions/events.js');
    const db = createDb(databaseUrl, 1);
    const key = await signingKey();
    // The handlers of older versions fetch the JWKS from the issuer: serve it, as the API would.
    const http = await import('node:http');
    const jwksServer = http.createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(key.jwks));
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(jwksServer.address() as { port: number }).port}`;
    try {
      const admin = await db.selectFrom('users').select('id').where('email', '=', DEV_USER.email).executeTakeFirstOrThrow();
      const { ROLE_SCOPES } = await import('../functions/auth/scopes.js');
      // Tokens live 15 minutes and a busy machine takes longer than that for all functions: a new one per function.
      const signingKey = await importPKCS8(key.pem, 'RS256');
      const newAdminToken = () =>
        new SignJWT({ scope: ROLE_SCOPES.admin.join(' '), role: 'admin' })
          .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
          .setSubject(String(admin.id))
          .setIssuer(issuer)
          .setAudience('patient-management-api')
          .setIssuedAt()
          .setExpirationTime('900s')
          .sign(signingKey);
      const adminToken = await newAdminToken();
      const caller = { actor: String(admin.id), requestId: randomUUID() };
      const newPatient = async () => (await createPatient(db, caller, patientBody())).patient.id;
      const patientId = await newPatient();
      // Nothing pending: the relay's first sweep finds the outbox empty (delivery is measured elsewhere).
      await db.deleteFrom('outbox').execute();

      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        APP_STAGE: 'deployed',
        SERVICE_NAME: 'patient-management',
        LOG_LEVEL: 'info',
        DATABASE_URL: databaseUrl,
        DB_POOL_MAX: '2',
        JWT_ISSUER: issuer,
        JWT_AUDIENCE: 'patient-management-api',
        JWT_KEY_ID: key.kid,
        JWT_PRIVATE_KEY: key.pem,
        JWT_PUBLIC_JWKS: key.jwks,
        BILLING_GRPC_ADDRESS: options.billingAddress ?? '127.0.0.1:9',
        KAFKA_BROKERS: options.kafkaBrokers ?? '127.0.0.1:9',
        KAFKA_TOPIC: 'patient',
        OUTBOX_RELAY_FUNCTION: '',
        // As deployed (serverless.yml provider.environment sets none).
        NODE_OPTIONS: '',
      };
      const inputs = {
        adminToken,
        user: { email: DEV_USER.email, password: DEV_USER.password },
        patientId,
        nextDeletablePatientId: newPatient,
        kafkaFixture: path.join(root, 'test/events/patient-events.json'),
      };
      // The relay first, while the outbox is empty.
      // BENCH_FUNCTIONS=a,b limits the cold starts to those functions (sizes and warm requests are always measured).
      const selected = process.env.BENCH_FUNCTIONS?.split(',').filter(Boolean);
      const ordered = [...functions]
        .filter((fn) => !selected || selected.includes(fn.name))
        .sort((a, b) => Number(b.name === 'outboxRelay') - Number(a.name === 'outboxRelay'));
      const coldStarts: ColdStart[] = [];
      for (const fn of ordered) {
        inputs.adminToken = await newAdminToken();
        const result = await measureColdStarts(fn, folders.get(fn.name) as string, inputs, env, runs);
        log(`  ${fn.name}: ${result.medianMs.toFixed(1)} ms median (import ${result.importMedianMs.toFixed(1)} ms) ${result.statuses}`);
        coldStarts.push(result);
      }

      const folderOf = (name: string) => {
        const fn = functions.find((f) => f.name === name);
        if (!fn) throw new Error(`the package has no function ${name}`);
        return path.join(folders.get(name) as string, fn.module);
      };
      const warm = await runWarm({
        ...env,
        NODE_OPTIONS: '',
        BENCH_TOKEN: await newAdminToken(),
        BENCH_ACTOR: String(admin.id),
        BENCH_PATIENT_ID: patientId,
        BENCH_GET_PATIENT_MODULE: folderOf('getPatient'),
        BENCH_CREATE_PATIENT_MODULE: folderOf('createPatient'),
        BENCH_RESULTS_FILE: path.join(work, 'warm.json'),
      });
      return { label: options.label, commit: options.commit, bundles, coldStarts, warm };
    } finally {
      jwksServer.close();
      await db.destroy();
    }
  } finally {
    await dropDatabase(options.adminUrl, database).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * `npm run bench`'s "functions" section: packages this build (documented example settings, a folder of its
 * own), measures it, and sets it beside bench/results/functions-before.json (the figures before issue 10).
 */
export async function functionsSection(options: { adminUrl: string; billingAddress?: string; workDir: string; log?: (line: string) => void }): Promise<string> {
  const { packageStage } = await import('../scripts/deploy/emulator.js');
  const { functionsSection: section } = await import('./functions/report.js');
  const packageDir = path.join(options.workDir, 'package-prod');
  await packageStage('prod', packageDir);
  const { execFileSync } = await import('node:child_process');
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  const now = await benchmarkFunctions({ packageDir, adminUrl: options.adminUrl, billingAddress: options.billingAddress, label: 'this build', commit, log: options.log });
  const before = JSON.parse(await readFile(path.join(root, 'bench/results/functions-before.json'), 'utf8').catch(() => 'null')) as FunctionsResults | null;
  return section(now, before ?? undefined);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [packageDir, resultsFile, label = 'this build'] = process.argv.slice(2);
  const adminUrl = process.env.BENCH_ADMIN_DATABASE_URL;
  if (!packageDir || !resultsFile || !adminUrl) {
    console.error('usage: BENCH_ADMIN_DATABASE_URL=… tsx bench/functions.bench.ts <package dir> <results.json> [label]');
    process.exit(2);
  }
  const { execFileSync } = await import('node:child_process');
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  const results = await benchmarkFunctions({
    packageDir,
    adminUrl,
    label,
    commit: process.env.BENCH_COMMIT ?? commit,
    billingAddress: process.env.BILLING_GRPC_ADDRESS,
    kafkaBrokers: process.env.KAFKA_BROKERS,
    runs: Number(process.env.BENCH_RUNS ?? 20),
  });
  await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`written to ${resultsFile}`);
  process.exit(0);
}

/**
 * The HL7 FHIR R4 instance validator (HAPI) the tests judge FHIR resources with: test/fhir-validator/ holds a
 * small Java program and the pom that pins its jars. The first use resolves the jars from Maven Central into
 * .cache/fhir-validator/<version>/libs and compiles the program beside them; later uses (again only when the pom or
 * the source changes) start it straight away. Validating needs no network: the R4 core definitions are in the jars.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { runQuietly } from '../../scripts/kafka/install.js';

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '../fhir-validator');
const pomPath = join(projectDir, 'pom.xml');
const sourceDir = join(projectDir, 'src');
const cacheDir = resolve(projectDir, '../../.cache/fhir-validator');
const MAIN_CLASS = 'ValidateFhirResources';

/** As HAPI names them; only `error` and `fatal` make a resource invalid. */
export type FhirSeverity = 'information' | 'warning' | 'error' | 'fatal';

export interface FhirValidationMessage {
  severity: FhirSeverity;
  /** A FHIRPath-like location such as `Patient.birthDate`; empty when the file is not a resource at all. */
  location: string;
  message: string;
}

export interface ValidationResult {
  /** The file's name within the directory validated. */
  file: string;
  /** Null when the file is not a JSON object with a resourceType. */
  resourceType: string | null;
  messages: FhirValidationMessage[];
}

/** The messages that make a resource invalid. */
export function errorsOf(result: ValidationResult): FhirValidationMessage[] {
  return result.messages.filter((message) => message.severity === 'error' || message.severity === 'fatal');
}

/**
 * Validates every *.json file directly in `dir` against the FHIR R4 core definitions, in one JVM (its start,
 * ~5–10 s, is most of the cost). Resolves with one result a file, in file-name order; rejects only when the
 * validator itself cannot run.
 */
export async function validateFhirResources(dir: string): Promise<ValidationResult[]> {
  const { libsDir, classesDir } = await ensureFhirValidatorBuilt();
  const args = [
    ...NO_NETWORK,
    '-cp', `${classesDir}:${join(libsDir, '*')}`,
    MAIN_CLASS,
    resolve(dir),
  ];
  const { stdout } = await promisify(execFile)('java', args, { maxBuffer: 256 * 1024 * 1024 }).catch((error: Error & { stderr?: string }) => {
    throw new Error(`the FHIR validator failed on ${dir}: ${error.message}\n${error.stderr ?? ''}`);
  });
  return JSON.parse(stdout) as ValidationResult[];
}

/**
 * Nothing in the validator's support chain goes to the network; should a later HAPI try (a terminology server, a
 * profile fetch), a proxy that refuses makes that attempt fail at once and show up as a message, not hang a test.
 */
const NO_NETWORK = ['http', 'https'].flatMap((scheme) => [`-D${scheme}.proxyHost=127.0.0.1`, `-D${scheme}.proxyPort=9`]);

export function pinnedHapiVersion(pom: string): string {
  const version = /<hapi\.version>([^<]+)<\/hapi\.version>/.exec(pom)?.[1];
  if (!version) throw new Error(`${pomPath} has no <hapi.version> property`);
  return version;
}

/** Resolves the jars (once a pom) and compiles the program (once a pom and source); returns where they are. */
export async function ensureFhirValidatorBuilt(): Promise<{ libsDir: string; classesDir: string }> {
  const pom = await readFile(pomPath);
  const versionDir = join(cacheDir, pinnedHapiVersion(pom.toString('utf8')));
  const sources = (await readdir(sourceDir)).filter((name) => name.endsWith('.java')).sort();
  const sourceHash = createHash('sha256').update(pom);
  for (const source of sources) sourceHash.update(source).update(await readFile(join(sourceDir, source)));

  const libsDir = join(versionDir, 'libs');
  await buildOnce(libsDir, sha256(pom), async (staging) => {
    const mavenArgs = ['-q', '-B', '-Dstyle.color=never', '-f', pomPath, 'dependency:copy-dependencies'];
    await runQuietly('mvn', [...mavenArgs, '-DincludeScope=runtime', `-DoutputDirectory=${staging}`]).catch((error: Error) => {
      throw new Error(
        'Could not resolve the FHIR validator’s jars (test/fhir-validator/pom.xml) with Maven. The first run needs ' +
          'Maven Central (https://repo.maven.apache.org) or a ~/.m2 that already holds them; later runs are offline.\n' +
          error.message,
      );
    });
  });
  const classesDir = join(versionDir, 'classes');
  await buildOnce(classesDir, sourceHash.digest('hex'), async (staging) => {
    await runQuietly('javac', ['-d', staging, '-cp', join(libsDir, '*'), ...sources.map((source) => join(sourceDir, source))]).catch((error: Error) => {
      throw new Error(`Could not compile the FHIR validator (test/fhir-validator/src; needs a JDK 17 for javac, e.g. openjdk-17-jdk-headless):\n${error.message}`);
    });
  });
  return { libsDir, classesDir };
}

/**
 * Builds `dir` unless it holds a stamp equal to `stamp`. The build goes to a private directory renamed into place,
 * so a concurrent run never sees half of it; the stamp is written last, so an interrupted build is redone.
 */
async function buildOnce(dir: string, stamp: string, build: (staging: string) => Promise<void>): Promise<void> {
  const stampPath = join(dir, '.stamp');
  if ((await readFile(stampPath, 'utf8').catch(() => '')) === stamp) return;
  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    await build(staging);
    await writeFile(join(staging, '.stamp'), stamp);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } catch (error) {
    // Another run may have put the same build in place first (the rename then fails): that one will do.
    if ((await readFile(stampPath, 'utf8').catch(() => '')) !== stamp) throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

// `npm run fhir:validate -- <folder>`: the results as JSON; exit 1 when a file has an error or fatal message.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const folder = process.argv[2];
  if (!folder) {
    console.error('usage: npm run fhir:validate -- <folder of *.json FHIR R4 resources>');
    process.exit(2);
  }
  const results = await validateFhirResources(folder);
  console.log(JSON.stringify(results, null, 2));
  process.exitCode = results.some((result) => errorsOf(result).length > 0) ? 1 : 0;
}

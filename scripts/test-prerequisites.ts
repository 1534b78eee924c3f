/**
 * What `npm test` needs beyond Node, checked before anything starts: a missing tool fails the run at once with how
 * to install it, rather than as failing tests twenty minutes in. `.ci/run` installs all of them on Debian.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

interface Prerequisite {
  what: string;
  /** The test files that need it (all when the run names none). */
  neededBy: (file: string) => boolean;
  present: () => boolean;
  install: string;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const onPath = (command: string) => (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && executable(path.join(dir, command)));

const PREREQUISITES: Prerequisite[] = [
  {
    what: 'Java 17 and Maven (the local Kafka broker, the FHIR validator)',
    neededBy: () => process.env.KAFKA_BROKERS === undefined,
    present: () => onPath('java') && onPath('javac') && onPath('mvn'),
    install: 'apt-get install openjdk-17-jdk-headless maven (or set KAFKA_BROKERS to a broker of yours)',
  },
  {
    what: 'Chromium (the web console\'s browser tests)',
    neededBy: (file) => file.includes('test/browser/'),
    present: () => executable(process.env.CHROME_PATH ?? '/usr/bin/chromium'),
    install: 'apt-get install chromium (or set CHROME_PATH)',
  },
  {
    what: 'moto_server, cfn-lint and the aws CLI (the deploy tests)',
    neededBy: (file) => file.includes('test/deploy/'),
    present: () => ['moto_server', 'cfn-lint', 'aws'].every(onPath),
    install: "pip install 'moto[server]==5.2.1' 'cfn-lint==1.51.0' 'awscli==1.45.11'",
  },
];

/** One line per missing prerequisite of these test files (all of them when `files` is empty). */
export function missingPrerequisites(files: string[]): string[] {
  return PREREQUISITES.filter((p) => (files.length === 0 || files.some((file) => p.neededBy(file))) && !p.present()).map(
    (p) => `${p.what} not found: ${p.install}`,
  );
}

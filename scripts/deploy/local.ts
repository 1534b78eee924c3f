/**
 * `npm run deploy:local`: deploys a throwaway stage of the whole system (serverless.yml and
 * billing-server/aws/billing-service.yml) to an AWS-compatible endpoint, prints the stacks' outputs and
 * removes both again. The endpoint is AWS_ENDPOINT_URL when set (LocalStack: http://localhost:4566),
 * otherwise a moto_server started on a free loopback port. Settings are the documented fake ones
 * (scripts/deploy/example-settings.ts) with a VPC created in the emulator. README, "Deploying to an emulator".
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  awsCli, createNetwork, deployBillingService, deployPackage, describeStack, directDeployment, emulatorCredentials, motoGaps,
  packageStage, removeMotoGaps, removeStage, startMoto, type Emulator,
} from './emulator.js';
import { exampleDeploySettings } from './example-settings.js';

const log = (line: string) => console.log(`[deploy:local] ${line}`);
const stage = `emu${randomBytes(3).toString('hex')}`;
const serviceStack = `patient-management-${stage}`;
const billingStack = `patient-management-billing-${stage}`;

const given = process.env.AWS_ENDPOINT_URL;
const emulator: Emulator = given ? { endpoint: given, stop: async () => {} } : await startMoto(log);
const workDir = await mkdtemp(path.join(tmpdir(), 'pm-deploy-local-'));
const packageDir = path.join(workDir, 'package');
let settings: Record<string, string> = { ...exampleDeploySettings, ...emulatorCredentials, AWS_ENDPOINT_URL: emulator.endpoint };
let exitCode = 1;
try {
  const network = await createNetwork(emulator.endpoint);
  settings = { ...settings, ...network };
  log(`packaging stage ${stage}`);
  await packageStage(stage, packageDir, settings, [directDeployment]);
  if (!given) {
    log(`moto cannot create: ${motoGaps.map((gap) => gap.type).join(', ')} (README, "Deploying to an emulator")`);
    const removed = removeMotoGaps(packageDir);
    log(`removed from the package before the deploy: ${removed.resources.join(', ')}; outputs ${removed.outputs.join(', ')}`);
  }
  log(`deploying ${serviceStack} to ${emulator.endpoint}`);
  await deployPackage(stage, packageDir, settings, workDir, true);
  log(`deploying ${billingStack}`);
  const removedBilling = await deployBillingService(emulator.endpoint, billingStack, network, workDir, !given);
  if (removedBilling.length > 0) log(`removed from the billing service's template before the deploy: ${removedBilling.join(', ')}`);
  for (const name of [serviceStack, billingStack]) {
    const stack = await describeStack(emulator.endpoint, name);
    log(`${name}: ${stack.StackStatus}`);
    for (const output of stack.Outputs ?? []) console.log(`  ${output.OutputKey}: ${output.OutputValue}`);
  }
  exitCode = 0;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  log('removing both stacks');
  await awsCli(emulator.endpoint, ['cloudformation', 'delete-stack', '--stack-name', billingStack]).catch((e: Error) => console.error(e.message));
  await removeStage(stage, settings, workDir, true)
    .catch((e: Error) => console.error(e.message));
  await rm(workDir, { recursive: true, force: true });
  await emulator.stop();
}
process.exit(exitCode);

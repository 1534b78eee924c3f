/**
 * Deploying to an AWS-compatible endpoint on this machine: moto_server on a free loopback port (or the
 * endpoint in AWS_ENDPOINT_URL, e.g. LocalStack), the real `serverless package`/`deploy`/`remove`, and
 * the `aws` CLI to read back what was created. Used by `npm run deploy:local` and test/deploy/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCloudFormationYaml } from '../../billing-server/aws/cloudformation-yaml.js';
import { exampleDeploySettings } from './example-settings.js';

const serverlessBin = 'node_modules/serverless/bin/serverless.js';

/** Credentials and region an emulator accepts; never real ones. */
export const emulatorCredentials = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'eu-central-1',
  AWS_DEFAULT_REGION: 'eu-central-1',
};

/**
 * Resource types the system uses that moto 5.2.1's CloudFormation cannot create. Its stack parser skips
 * types it has no model for (warning "Tried to parse <type> but it's not supported by moto's
 * CloudFormation implementation", moto/cloudformation/parsing.py parse_resource): the stack completes
 * without them. Types it has a model for but cannot create as we declare them are removed from the
 * package before the deploy (`removedBeforeDeploy`); `partly` ones it creates without some properties.
 * cfn-lint and the template tests still check all of them.
 */
type MotoGap = { type: string; removedBeforeDeploy: boolean; partly?: boolean; limit: string };
/** Types moto skips (no CloudFormation model): the stack completes without them. */
const skipped = (prefix: string, kinds: string[], limit: string): MotoGap[] =>
  kinds.map((kind) => ({ type: `${prefix}::${kind}`, removedBeforeDeploy: false, limit }));

export const motoGaps: MotoGap[] = [
  ...skipped('AWS::ApiGatewayV2', ['Api', 'Stage', 'Integration', 'Route', 'Authorizer'],
    'no CloudFormation model for API Gateway v2 (moto/cloudformation/parsing.py imports REST API models only)'),
  ...skipped('AWS::CloudFront', ['Distribution', 'OriginAccessControl', 'ResponseHeadersPolicy', 'Function'],
    'no CloudFormation model for CloudFront (moto/cloudfront/models.py serves the API only)'),
  ...skipped('AWS::S3', ['BucketPolicy'], 'no CloudFormation model for bucket policies (moto/s3/models.py models AWS::S3::Bucket only)'),
  ...skipped('AWS::RDS', ['DBProxy', 'DBProxyTargetGroup'], 'no CloudFormation model for RDS Proxy (moto/rds/models.py)'),
  ...skipped('AWS::Lambda', ['EventInvokeConfig'],
    'no CloudFormation model for asynchronous invocation settings (moto/awslambda/models.py models functions, versions, layers, permissions, mappings)'),
  {
    type: 'AWS::Lambda::EventSourceMapping',
    removedBeforeDeploy: true,
    limit: 'self-managed Kafka sources have no EventSourceArn; create_event_source_mapping requires one ("Missing EventSourceArn", moto/awslambda/models.py)',
  },
  {
    type: 'AWS::ElasticLoadBalancingV2::Listener',
    removedBeforeDeploy: true,
    limit: 'the LoadBalancer model ignores Type: network and creates an application load balancer, whose listeners refuse TCP (moto/elbv2/models.py FakeLoadBalancer.create_from_cloudformation_json)',
  },
  ...['Service', 'TaskDefinition'].map((kind) => ({
    type: `AWS::ECS::${kind}`,
    removedBeforeDeploy: false,
    partly: true,
    limit: 'created without launch type, network configuration or load balancer binding (moto/ecs/models.py create_from_cloudformation_json reads none of them)',
  })),
];

export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Deploy in place rather than through a change set: moto keeps a stack's outputs from before an executed
 * change set (moto/cloudformation/models.py FakeChangeSet.apply updates the resources only). Given to
 * package (the package records the method) and deploy.
 */
export const directDeployment = '--param=deploymentMethod=direct';

export type Emulator = { endpoint: string; stop: () => Promise<void> };

/** moto_server on a free loopback port; an IP endpoint makes the SDKs address S3 buckets path-style. */
export async function startMoto(log: (line: string) => void = () => {}): Promise<Emulator> {
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const started = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`moto_server could not start (${error.message}); install moto[server]==5.2.1`)));
    child.once('exit', (code) => reject(new Error(`moto_server exited with ${code}`)));
  });
  child.stderr?.on('data', () => {}); // its request log; drained so it never blocks
  const killOnExit = () => child.kill('SIGKILL'); // if this process dies without stopping it
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    await stopChild(child);
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    const ready = await Promise.race([fetch(`${endpoint}/moto-api/`).then((r) => r.ok, () => false), started]);
    if (ready) {
      log(`moto_server on ${endpoint}`);
      return { endpoint, stop };
    }
    await sleep(200);
  }
  await stop();
  throw new Error('moto_server did not answer within 20 s');
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
}

export type CommandResult = { code: number; output: string };

/** Runs the real serverless CLI with exactly the given settings (nothing inherited from the caller's stage). */
export function runServerless(args: string[], env: Record<string, string>, echo = false, cwd = process.cwd()): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.resolve(serverlessBin), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SLS_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

export async function mustRunServerless(args: string[], env: Record<string, string>, echo = false, cwd = process.cwd()): Promise<string> {
  const { code, output } = await runServerless(args, env, echo, cwd);
  if (code !== 0) throw new Error(`serverless ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`);
  return output;
}

/**
 * Packages `stage` into `packageDir`, building in a folder of its own under .esbuild/ so that neither a
 * running dev or test stack (.esbuild/offline-<port>) nor another packaging run is touched.
 */
export async function packageStage(
  stage: string, packageDir: string, settings: Record<string, string> = exampleDeploySettings, extraArgs: string[] = [],
): Promise<void> {
  await mustRunServerless(['package', '--stage', stage, '--package', packageDir, ...extraArgs], {
    ...settings,
    ESBUILD_WORK_FOLDER: path.join('.esbuild', `package-${stage}-${process.pid}`),
  });
}

/**
 * `serverless deploy --package` ends by deleting the service's .serverless folder (osls
 * aws:common:cleanupTempDir), where `npm run package` and npm test put their output. Deploys and removes
 * therefore run from a folder of their own with the service's configuration and links to its dependencies.
 */
function serviceLinks(workDir: string): string {
  const dir = path.join(workDir, 'service');
  mkdirSync(dir, { recursive: true });
  // osls accepts only a real file as its configuration; the folders can be links.
  for (const name of ['serverless.yml', 'package.json']) copyFileSync(name, path.join(dir, name));
  for (const name of ['node_modules', 'scripts']) {
    if (!existsSync(path.join(dir, name))) symlinkSync(path.resolve(name), path.join(dir, name));
  }
  return dir;
}

/** `serverless deploy` of a package made by packageStage; `workDir` is the caller's scratch folder. */
export async function deployPackage(stage: string, packageDir: string, settings: Record<string, string>, workDir: string, echo = false): Promise<void> {
  await mustRunServerless(['deploy', '--stage', stage, '--package', path.resolve(packageDir), '--force', directDeployment], settings, echo, serviceLinks(workDir));
}

export async function removeStage(stage: string, settings: Record<string, string>, workDir: string, echo = false): Promise<void> {
  await mustRunServerless(['remove', '--stage', stage], settings, echo, serviceLinks(workDir));
}

type Template = { Resources: Record<string, { Type: string }>; Outputs?: Record<string, unknown> };

export function readPackagedTemplate(packageDir: string): Template {
  return JSON.parse(readFileSync(path.join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

/**
 * Removes from a package what moto cannot deploy: the resources of motoGaps marked removedBeforeDeploy,
 * and the outputs that name any gap resource (moto refuses an update whose output reads an attribute of a
 * resource it skipped, "Fn::GetAtt references undefined resource", and shows a Ref to one as "None").
 * Returns the logical ids removed.
 */
export function removeMotoGaps(packageDir: string): { resources: string[]; outputs: string[] } {
  const gapTypes = new Set(motoGaps.map((gap) => gap.type));
  const removable = new Set(motoGaps.filter((gap) => gap.removedBeforeDeploy).map((gap) => gap.type));
  const template = readPackagedTemplate(packageDir);
  const gapIds = Object.keys(template.Resources).filter((id) => gapTypes.has(template.Resources[id]!.Type));
  const removed = gapIds.filter((id) => removable.has(template.Resources[id]!.Type));
  const names = (value: unknown) => {
    const text = JSON.stringify(value);
    return (id: string) => text.includes(`"Fn::GetAtt":["${id}"`) || text.includes(`\${${id}`) || text.includes(`"Ref":"${id}"`);
  };
  const outputs = Object.entries(template.Outputs ?? {}).filter(([, output]) => gapIds.some(names(output))).map(([id]) => id);
  const prune = (target: Template) => {
    for (const id of removed) delete target.Resources[id];
    for (const id of outputs) delete target.Outputs?.[id];
  };
  prune(template);
  writeFileSync(path.join(packageDir, 'cloudformation-template-update-stack.json'), JSON.stringify(template, null, 2));

  // The deploy reads the template from serverless-state.json, written by json-cycle: a shared object
  // appears once and elsewhere as {"$ref": "$[\"service\"]…"}. A reference into a removed resource gets
  // the value itself before the resource goes.
  const stateFile = path.join(packageDir, 'serverless-state.json');
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Json;
  const templatePath = '$["service"]["provider"]["compiledCloudFormationTemplate"]';
  const inline = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(inline);
    if (node === null || typeof node !== 'object') return node;
    const ref = (node as Json).$ref;
    if (typeof ref === 'string' && removed.some((id) => ref.startsWith(`${templatePath}["Resources"]["${id}"]`))) return structuredClone(at(state, ref));
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inline(value)]));
  };
  const inlined = inline(state) as Json;
  prune(at(inlined, templatePath) as Template);
  writeFileSync(stateFile, JSON.stringify(inlined));
  return { resources: removed, outputs };
}

type Json = Record<string, unknown>;
/** The value at a json-cycle path such as $["a"][0]["b"]. */
function at(root: unknown, jsonPath: string): unknown {
  let node = root;
  for (const [, key, index] of jsonPath.matchAll(/\[(?:"((?:[^"\\]|\\.)*)"|(\d+))\]/g)) {
    node = (node as Record<string, unknown>)[key !== undefined ? (JSON.parse(`"${key}"`) as string) : Number(index)];
  }
  return node;
}

/** Flags whose value is a secret (the relay's SCRAM credentials): never repeated in an error message. */
const SECRET_FLAGS = new Set(['--secret-string', '--secret-binary']);

/** The command line of an `aws` call as an error message may show it: secret values replaced by `<redacted>`. */
export function describeAwsCommand(args: string[]): string {
  return args.map((arg, i) => (i > 0 && SECRET_FLAGS.has(args[i - 1]!) ? '<redacted>' : arg)).join(' ');
}

/** The CLI's own output, with any secret value of `args` it may have echoed replaced too. */
function redactSecrets(text: string, args: string[]): string {
  return args.reduce((out, arg, i) => (i > 0 && SECRET_FLAGS.has(args[i - 1]!) && arg ? out.replaceAll(arg, '<redacted>') : out), text);
}

/** The `aws` CLI against the emulator, JSON out. */
export function awsCli(endpoint: string, args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn('aws', ['--endpoint-url', endpoint, '--output', 'json', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...emulatorCredentials },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`aws ${describeAwsCommand(args)} exited with ${code}: ${redactSecrets(err, args)}`));
      else resolve(parseOrText(out));
    });
  });
}

/** Most commands answer JSON; `cloudformation deploy` reports progress as text. */
function parseOrText(out: string): unknown {
  try {
    return out.trim() === '' ? {} : JSON.parse(out);
  } catch {
    return { text: out };
  }
}

/** A VPC with two private subnets and the security groups the settings name, created in the emulator. */
export async function createNetwork(endpoint: string): Promise<Record<string, string>> {
  const { Vpc } = (await awsCli(endpoint, ['ec2', 'create-vpc', '--cidr-block', '10.0.0.0/16'])) as { Vpc: { VpcId: string } };
  const subnet = async (cidr: string, zone: string) =>
    ((await awsCli(endpoint, ['ec2', 'create-subnet', '--vpc-id', Vpc.VpcId, '--cidr-block', cidr, '--availability-zone', zone])) as { Subnet: { SubnetId: string } }).Subnet.SubnetId;
  const group = async (name: string) =>
    ((await awsCli(endpoint, ['ec2', 'create-security-group', '--vpc-id', Vpc.VpcId, '--group-name', name, '--description', name])) as { GroupId: string }).GroupId;
  const [subnetA, subnetB] = [await subnet('10.0.1.0/24', 'eu-central-1a'), await subnet('10.0.2.0/24', 'eu-central-1b')];
  return {
    VPC_ID: Vpc.VpcId,
    PRIVATE_SUBNET_A: subnetA,
    PRIVATE_SUBNET_B: subnetB,
    KAFKA_SUBNET_A: subnetA,
    KAFKA_SUBNET_B: subnetB,
    LAMBDA_SECURITY_GROUP: await group('lambda'),
    KAFKA_SECURITY_GROUP: await group('kafka'),
    DATABASE_PROXY_SECURITY_GROUP: await group('database-proxy'),
  };
}

/**
 * billing-server/aws/billing-service.yml as its own stack, the way README "Deploying to AWS" does it; for
 * moto without the resources it cannot create (motoGaps), written to `workDir`. Returns the removed ids.
 */
export async function deployBillingService(
  endpoint: string, stackName: string, network: Record<string, string>, workDir: string, withoutMotoGaps: boolean,
): Promise<string[]> {
  let templateFile = 'billing-server/aws/billing-service.yml';
  const removed: string[] = [];
  if (withoutMotoGaps) {
    const removable = new Set(motoGaps.filter((gap) => gap.removedBeforeDeploy).map((gap) => gap.type));
    const template = parseCloudFormationYaml(readFileSync(templateFile, 'utf8')).template as { Resources: Record<string, { Type: string; DependsOn?: string | string[] }> };
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (removable.has(resource.Type)) {
        delete template.Resources[id];
        removed.push(id);
      }
    }
    for (const resource of Object.values(template.Resources)) {
      if (resource.DependsOn === undefined) continue;
      resource.DependsOn = [resource.DependsOn].flat().filter((id) => !removed.includes(id));
      if (resource.DependsOn.length === 0) delete resource.DependsOn;
    }
    templateFile = path.join(workDir, 'billing-service.json');
    writeFileSync(templateFile, JSON.stringify(template, null, 2));
  }
  // create-stack rather than `cloudformation deploy`: moto keeps a stack's outputs from before an executed
  // change set (moto/cloudformation/models.py FakeChangeSet.apply updates the resources only).
  const parameters = {
    VpcId: network.VPC_ID,
    PrivateSubnetIds: `${network.PRIVATE_SUBNET_A}\\,${network.PRIVATE_SUBNET_B}`,
    ImageUri: '000000000000.dkr.ecr.eu-central-1.amazonaws.com/patient-management-billing:example',
    DatabaseUrlSecretArn: 'arn:aws:secretsmanager:eu-central-1:000000000000:secret:patient-management/example-billing-database',
    ClientSecurityGroupId: network.LAMBDA_SECURITY_GROUP,
  };
  await awsCli(endpoint, [
    'cloudformation', 'create-stack', '--stack-name', stackName, '--template-body', `file://${path.resolve(templateFile)}`,
    '--capabilities', 'CAPABILITY_IAM', '--parameters',
    ...Object.entries(parameters).map(([key, value]) => `ParameterKey=${key},ParameterValue=${value}`),
  ]);
  await awsCli(endpoint, ['cloudformation', 'wait', 'stack-create-complete', '--stack-name', stackName]);
  return removed;
}

export type StackOutput = { OutputKey: string; OutputValue: string };
export type StackDescription = { StackName: string; StackStatus: string; Outputs?: StackOutput[] };

export async function describeStack(endpoint: string, stackName: string): Promise<StackDescription> {
  const { Stacks } = (await awsCli(endpoint, ['cloudformation', 'describe-stacks', '--stack-name', stackName])) as { Stacks: StackDescription[] };
  return Stacks[0]!;
}

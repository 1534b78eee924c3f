/**
 * Deploys the whole system to an AWS emulator and reads back what was created through the AWS API:
 * moto_server on a free loopback port, the real `serverless package` and `serverless deploy` of a
 * throwaway stage (its own package and build folders, so a running dev or test stack is untouched), the
 * billing service's CloudFormation beside it, then `serverless remove`. Resource types moto cannot create
 * are named with moto's limit in scripts/deploy/emulator.ts (motoGaps); test/deploy/cloudformation.test.ts
 * and cfn-lint still check them in the template.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetFunctionConcurrencyCommand, LambdaClient, paginateListFunctions } from '@aws-sdk/client-lambda';
import {
  awsCli, createNetwork, deployBillingService, deployPackage, describeStack, directDeployment, emulatorCredentials, motoGaps,
  packageStage, readPackagedTemplate, removeMotoGaps, removeStage, startMoto, type Emulator,
} from '../../scripts/deploy/emulator.js';
import { exampleDeploySettings } from '../../scripts/deploy/example-settings.js';

const stage = `t${randomBytes(3).toString('hex')}`;
const serviceStack = `patient-management-${stage}`;
const billingStack = `patient-management-billing-${stage}`;
const workDir = mkdtempSync(path.join(tmpdir(), 'pm-deploy-test-'));
const packageDir = path.join(workDir, 'package');

type LambdaFunction = {
  FunctionName: string; FunctionArn: string; Role: string;
  VpcConfig?: { SubnetIds: string[]; SecurityGroupIds: string[] };
  Environment?: { Variables: Record<string, string> };
};

let emulator: Emulator;
let settings: Record<string, string>;
let packagedTypes: Record<string, string>;
let removedBeforeDeploy: { resources: string[]; outputs: string[] };
let removedFromBilling: string[];
let functions: LambdaFunction[];
let lambda: LambdaClient;
const aws = (...args: string[]) => awsCli(emulator.endpoint, args);
const listFunctions = async () => {
  const all: LambdaFunction[] = [];
  for await (const page of paginateListFunctions({ client: lambda }, {})) all.push(...(page.Functions as LambdaFunction[]));
  return all.filter((fn) => fn.FunctionName.startsWith(`${serviceStack}-`));
};

before(async () => {
  emulator = await startMoto();
  const network = await createNetwork(emulator.endpoint);
  settings = { ...exampleDeploySettings, ...network, ...emulatorCredentials, AWS_ENDPOINT_URL: emulator.endpoint };
  await packageStage(stage, packageDir, settings, [directDeployment]);
  packagedTypes = Object.fromEntries(Object.entries(readPackagedTemplate(packageDir).Resources).map(([id, r]) => [id, r.Type]));
  removedBeforeDeploy = removeMotoGaps(packageDir);
  await deployPackage(stage, packageDir, settings, workDir);
  removedFromBilling = await deployBillingService(emulator.endpoint, billingStack, network, workDir, true);
  lambda = new LambdaClient({
    endpoint: emulator.endpoint,
    region: emulatorCredentials.AWS_REGION,
    credentials: { accessKeyId: emulatorCredentials.AWS_ACCESS_KEY_ID, secretAccessKey: emulatorCredentials.AWS_SECRET_ACCESS_KEY },
  });
  functions = await listFunctions();
});

after(async () => {
  // Normally already removed by the last test; this covers a failure before it.
  await removeStage(stage, settings, workDir).catch(() => {});
  lambda?.destroy();
  await emulator?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('serverless deploy of a throwaway stage to moto', () => {
  test('completes the stack with every packaged resource moto can create', async () => {
    const stack = await describeStack(emulator.endpoint, serviceStack);
    assert.match(stack.StackStatus, /^(CREATE|UPDATE)_COMPLETE$/);
    const { StackResourceSummaries: created } = (await aws('cloudformation', 'list-stack-resources', '--stack-name', serviceStack)) as {
      StackResourceSummaries: { LogicalResourceId: string; ResourceStatus: string }[];
    };
    for (const resource of created) assert.match(resource.ResourceStatus, /_COMPLETE$/, resource.LogicalResourceId);
    const createdIds = new Set(created.map((r) => r.LogicalResourceId));
    const gapTypes = new Set(motoGaps.map((gap) => gap.type));
    const missing = Object.entries(packagedTypes).filter(([id]) => !createdIds.has(id));
    // Whatever is missing is a type moto is known not to model, never one of ours going astray.
    assert.deepEqual(missing.filter(([, type]) => !gapTypes.has(type)), []);
    assert.ok(missing.length < Object.keys(packagedTypes).length / 2, `${createdIds.size} resources created`);
    assert.deepEqual(removedBeforeDeploy.resources, ['AnalyticsConsumerEventSourceMappingKafkaPatient']);
  });

  test('creates every function, each with its role, in the private subnets behind the Lambda security group', async () => {
    const declared = Object.values(packagedTypes).filter((type) => type === 'AWS::Lambda::Function').length;
    assert.equal(functions.length, declared);
    const roleNames = new Set(((await aws('iam', 'list-roles')) as { Roles: { Arn: string }[] }).Roles.map((r) => r.Arn));
    const signers = ['login', 'refreshToken', 'jwks'].map((name) => `${serviceStack}-${name}`);
    const signingRole = functions.find((fn) => fn.FunctionName === signers[0])!.Role;
    for (const fn of functions) {
      assert.ok(roleNames.has(fn.Role), `${fn.FunctionName} runs under an existing role`);
      assert.equal(fn.Role === signingRole, signers.includes(fn.FunctionName), `${fn.FunctionName} role`);
      assert.deepEqual(fn.VpcConfig?.SubnetIds.sort(), [settings.PRIVATE_SUBNET_A, settings.PRIVATE_SUBNET_B].sort(), fn.FunctionName);
      assert.deepEqual(fn.VpcConfig?.SecurityGroupIds, [settings.LAMBDA_SECURITY_GROUP], fn.FunctionName);
    }
  });

  test('reserves each function\'s concurrency as declared (the connection budget)', async () => {
    const template = readPackagedTemplate(packageDir) as { Resources: Record<string, { Type: string; Properties?: { FunctionName?: string; ReservedConcurrentExecutions?: number } }> };
    const declared = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.ReservedConcurrentExecutions);
    assert.ok(declared.length >= 12, `${declared.length} functions with reserved concurrency`);
    for (const fn of declared) {
      const reserved = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: fn.Properties!.FunctionName! }));
      assert.equal(reserved.ReservedConcurrentExecutions, fn.Properties!.ReservedConcurrentExecutions, fn.Properties!.FunctionName);
    }
  });

  test('gives the functions SSM parameter names and public settings, never a secret', () => {
    for (const fn of functions) {
      const variables = fn.Environment?.Variables ?? {};
      assert.equal(variables.DATABASE_URL_PARAMETER, `/patient-management/${stage}/database-url`, fn.FunctionName);
      assert.ok(!variables.DATABASE_URL, `${fn.FunctionName}: no database URL value`);
      assert.ok(!variables.JWT_PRIVATE_KEY, `${fn.FunctionName}: no signing key value`);
      assert.equal(variables.JWT_ISSUER, settings.JWT_ISSUER);
      assert.equal(variables.JWT_PUBLIC_JWKS, settings.JWT_PUBLIC_JWKS);
      assert.equal(variables.BILLING_GRPC_ADDRESS, settings.BILLING_GRPC_ADDRESS);
      assert.equal(variables.APP_STAGE, 'deployed');
    }
    const signers = functions.filter((fn) => fn.Environment?.Variables.JWT_PRIVATE_KEY_PARAMETER);
    assert.deepEqual(signers.map((fn) => fn.FunctionName).sort(), ['jwks', 'login', 'refreshToken'].map((n) => `${serviceStack}-${n}`).sort());
    for (const fn of signers) assert.equal(fn.Environment?.Variables.JWT_PRIVATE_KEY_PARAMETER, `/patient-management/${stage}/jwt-private-key`);
  });

  test('lets the functions invoke the relay by its real ARN', async () => {
    const relay = functions.find((fn) => fn.FunctionName === `${serviceStack}-outboxRelay`)!;
    const roleName = relay.Role.split('/').pop()!;
    const { PolicyNames } = (await aws('iam', 'list-role-policies', '--role-name', roleName)) as { PolicyNames: string[] };
    const documents = await Promise.all(PolicyNames.map((name) => aws('iam', 'get-role-policy', '--role-name', roleName, '--policy-name', name)));
    // moto returns the policies of a CloudFormation role as Python text, not JSON: read them as text.
    const text = documents.map((d) => {
      const document = (d as { PolicyDocument: unknown }).PolicyDocument;
      return typeof document === 'string' ? decodeURIComponent(document) : JSON.stringify(document);
    }).join('\n');
    assert.match(text, /lambda:InvokeFunction/);
    assert.ok(text.includes(relay.FunctionArn), `the policy names ${relay.FunctionArn}`);
    assert.doesNotMatch(text, /AWS::|Fn::/, 'every intrinsic resolved');
  });

  test('schedules the relay every minute and keeps each function\'s logs for 30 days', async () => {
    const { Rules } = (await aws('events', 'list-rules')) as { Rules: { Name: string; ScheduleExpression?: string }[] };
    const schedules = Rules.filter((rule) => rule.ScheduleExpression === 'rate(1 minute)' && rule.Name.startsWith(serviceStack));
    assert.equal(schedules.length, 1);
    const { Targets } = (await aws('events', 'list-targets-by-rule', '--rule', schedules[0]!.Name)) as { Targets: { Arn: string }[] };
    assert.deepEqual(Targets.map((t) => t.Arn), [functions.find((fn) => fn.FunctionName.endsWith('-outboxRelay'))!.FunctionArn]);

    const { logGroups } = (await aws('logs', 'describe-log-groups', '--log-group-name-prefix', `/aws/lambda/${serviceStack}-`)) as {
      logGroups: { logGroupName: string; retentionInDays?: number }[];
    };
    assert.deepEqual(logGroups.map((g) => g.logGroupName).sort(), functions.map((fn) => `/aws/lambda/${fn.FunctionName}`).sort());
    for (const group of logGroups) assert.equal(group.retentionInDays, 30, group.logGroupName);
  });

  test('deploys the billing service beside it: its service, task definition, target group and address', async () => {
    const stack = await describeStack(emulator.endpoint, billingStack);
    assert.match(stack.StackStatus, /^(CREATE|UPDATE)_COMPLETE$/);
    assert.deepEqual(removedFromBilling, ['Listener']);
    const address = stack.Outputs?.find((o) => o.OutputKey === 'BillingGrpcAddress')?.OutputValue;
    assert.match(address ?? '', /:9001$/);
    // moto's ECS models keep no launch type, network configuration or load balancer binding (motoGaps);
    // the task itself is checked here, Fargate and the NLB in billing-server/test/aws-template.test.ts.
    const { StackResourceSummaries } = (await aws('cloudformation', 'list-stack-resources', '--stack-name', billingStack)) as {
      StackResourceSummaries: { LogicalResourceId: string; PhysicalResourceId: string }[];
    };
    const physical = (id: string) => StackResourceSummaries.find((r) => r.LogicalResourceId === id)?.PhysicalResourceId ?? '';
    const { services } = (await aws('ecs', 'describe-services', '--cluster', physical('Cluster'), '--services', physical('Service'))) as {
      services: { desiredCount: number; taskDefinition: string }[];
    };
    assert.equal(services[0]?.desiredCount, 2);
    const { taskDefinition } = (await aws('ecs', 'describe-task-definition', '--task-definition', services[0]!.taskDefinition)) as {
      taskDefinition: { containerDefinitions: { portMappings: unknown[]; secrets: unknown[]; environment: { name: string }[]; readonlyRootFilesystem: boolean }[] };
    };
    const [container] = taskDefinition.containerDefinitions;
    assert.deepEqual(container?.portMappings, [{ containerPort: 9001, protocol: 'tcp' }]);
    assert.deepEqual(container?.secrets, [{ name: 'BILLING_DATABASE_URL', valueFrom: 'arn:aws:secretsmanager:eu-central-1:000000000000:secret:patient-management/example-billing-database' }]);
    assert.ok(!container?.environment.some((e) => e.name.includes('DATABASE')), 'no database URL in the environment');
    assert.equal(container?.readonlyRootFilesystem, true);
    const { TargetGroups } = (await aws('elbv2', 'describe-target-groups')) as { TargetGroups: { Protocol: string; Port: number; TargetType: string }[] };
    assert.deepEqual(TargetGroups.map((g) => [g.Protocol, g.Port, g.TargetType]), [['TCP', 9001, 'ip']]);
  });

  test('serverless remove deletes the stack and its functions', async () => {
    await aws('cloudformation', 'delete-stack', '--stack-name', billingStack);
    await removeStage(stage, settings, workDir);
    assert.deepEqual(await listFunctions(), []);
    const stacks = (await aws('cloudformation', 'list-stacks')) as { StackSummaries: { StackName: string; StackStatus: string }[] };
    for (const summary of stacks.StackSummaries) assert.equal(summary.StackStatus, 'DELETE_COMPLETE', summary.StackName);
  });
});

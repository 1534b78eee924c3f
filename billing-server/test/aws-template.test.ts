/**
 * Static checks of billing-server/aws/billing-service.yml: what the Lambda functions and production rely on
 * (an internal NLB on TCP 9001, Fargate tasks in private subnets, graceful stop, the secret kept secret) and
 * that every reference resolves. No AWS account needed.
 */
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCloudFormationYaml } from '../aws/cloudformation-yaml.js';

const templatePath = new URL('../aws/billing-service.yml', import.meta.url);
const dockerfilePath = new URL('../Dockerfile', import.meta.url);

type Json = Record<string, unknown>;
function obj(value: unknown, what: string): Json {
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `${what} is an object`);
  return value as Json;
}
function list(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what} is a list`);
  return value;
}

const parsed = parseCloudFormationYaml(readFileSync(templatePath, 'utf8'));
// An unknown tag (a typo such as `!GetAt`) is only a warning to the parser: fail on it here.
assert.deepEqual(parsed.problems, []);
const template = obj(parsed.template, 'template');
const parameters = obj(template.Parameters, 'Parameters');
const resources = obj(template.Resources, 'Resources');

function resourcesOfType(type: string): [string, Json][] {
  return Object.entries(resources)
    .map(([name, value]) => [name, obj(value, name)] as [string, Json])
    .filter(([, resource]) => resource.Type === type);
}
function onlyResource(type: string): { name: string; props: Json } {
  const found = resourcesOfType(type);
  assert.equal(found.length, 1, `one ${type}`);
  const [name, resource] = found[0]!;
  return { name, props: obj(resource.Properties, `${name}.Properties`) };
}
const ref = (name: string) => ({ Ref: name });

const loadBalancer = onlyResource('AWS::ElasticLoadBalancingV2::LoadBalancer');
const listener = onlyResource('AWS::ElasticLoadBalancingV2::Listener');
const targetGroup = onlyResource('AWS::ElasticLoadBalancingV2::TargetGroup');
const service = onlyResource('AWS::ECS::Service');
const taskDefinition = onlyResource('AWS::ECS::TaskDefinition');
const containers = list(taskDefinition.props.ContainerDefinitions, 'ContainerDefinitions');
assert.equal(containers.length, 1);
const container = obj(containers[0], 'container');

describe('billing-service.yml', () => {
  test('declares the parameters the deployment passes', () => {
    for (const name of ['VpcId', 'PrivateSubnetIds', 'ImageUri', 'DatabaseUrlSecretArn', 'ClientSecurityGroupId', 'DesiredCount', 'Cpu', 'Memory']) {
      assert.ok(name in parameters, name);
    }
    assert.equal(obj(parameters.PrivateSubnetIds, 'PrivateSubnetIds').Type, 'List<AWS::EC2::Subnet::Id>');
    assert.equal(obj(parameters.DesiredCount, 'DesiredCount').Default, 2);
  });

  test('the load balancer is an internal NLB in the private subnets', () => {
    assert.equal(loadBalancer.props.Type, 'network');
    assert.equal(loadBalancer.props.Scheme, 'internal');
    assert.deepEqual(loadBalancer.props.Subnets, ref('PrivateSubnetIds'));
  });

  test('the listener forwards TCP 9001 to a TCP 9001 target group of task IPs', () => {
    assert.deepEqual(listener.props.LoadBalancerArn, ref(loadBalancer.name));
    assert.equal(listener.props.Protocol, 'TCP');
    assert.equal(listener.props.Port, 9001);
    const [action] = list(listener.props.DefaultActions, 'DefaultActions');
    assert.deepEqual(action, { Type: 'forward', TargetGroupArn: ref(targetGroup.name) });

    assert.equal(targetGroup.props.Protocol, 'TCP');
    assert.equal(targetGroup.props.Port, 9001);
    assert.equal(targetGroup.props.TargetType, 'ip');
    assert.equal(targetGroup.props.HealthCheckProtocol, 'TCP');
    const attributes = list(targetGroup.props.TargetGroupAttributes, 'TargetGroupAttributes').map((a) => obj(a, 'attribute'));
    const delay = attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds');
    assert.ok(delay, 'deregistration delay set');
    assert.ok(Number(delay.Value) > 0 && Number(delay.Value) <= 30, `deregistration delay ${String(delay.Value)} s`);
  });

  test('the service runs on Fargate in the private subnets without a public IP, behind the target group', () => {
    assert.equal(service.props.LaunchType, 'FARGATE');
    const network = obj(obj(service.props.NetworkConfiguration, 'NetworkConfiguration').AwsvpcConfiguration, 'AwsvpcConfiguration');
    assert.deepEqual(network.Subnets, ref('PrivateSubnetIds'));
    assert.equal(network.AssignPublicIp, 'DISABLED');
    const [binding] = list(service.props.LoadBalancers, 'LoadBalancers').map((b) => obj(b, 'LoadBalancers[0]'));
    assert.deepEqual(binding, { ContainerName: container.Name, ContainerPort: 9001, TargetGroupArn: ref(targetGroup.name) });
    assert.equal(obj(resources[service.name], 'service').DependsOn, listener.name);

    const deployment = obj(service.props.DeploymentConfiguration, 'DeploymentConfiguration');
    assert.equal(deployment.MinimumHealthyPercent, 100);
    assert.equal(deployment.MaximumPercent, 200);
    assert.deepEqual(deployment.DeploymentCircuitBreaker, { Enable: true, Rollback: true });
  });

  test('the task definition is Fargate awsvpc and the container listens on 9001', () => {
    assert.deepEqual(taskDefinition.props.RequiresCompatibilities, ['FARGATE']);
    assert.equal(taskDefinition.props.NetworkMode, 'awsvpc');
    assert.deepEqual(container.PortMappings, [{ ContainerPort: 9001, Protocol: 'tcp' }]);
    assert.equal(container.ReadonlyRootFilesystem, true);
    const environment = Object.fromEntries(
      list(container.Environment, 'Environment').map((e) => [obj(e, 'env').Name, obj(e, 'env').Value]),
    );
    // Reflection is a development convenience; production does not advertise its API.
    assert.deepEqual(environment, { BILLING_HOST: '0.0.0.0', BILLING_PORT: '9001', BILLING_SHUTDOWN_GRACE_MS: '10000', BILLING_REFLECTION: 'false' });
  });

  test('the container health check runs the Dockerfile HEALTHCHECK command', () => {
    const healthCheck = obj(container.HealthCheck, 'HealthCheck');
    const dockerfile = readFileSync(dockerfilePath, 'utf8');
    const dockerCommand = /HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/.exec(dockerfile)?.[1];
    assert.ok(dockerCommand, 'Dockerfile HEALTHCHECK CMD found');
    assert.deepEqual(healthCheck.Command, ['CMD', ...(JSON.parse(dockerCommand) as string[])]);
    assert.deepEqual(healthCheck.Command, ['CMD', 'node', 'billing-server/dist/healthcheck.mjs']);
  });

  test('SIGKILL comes only after the shutdown grace period', () => {
    assert.equal(typeof container.StopTimeout, 'number');
    assert.ok((container.StopTimeout as number) > 10, `stopTimeout ${String(container.StopTimeout)} s > 10 s grace`);
    assert.ok((container.StopTimeout as number) <= 120, 'Fargate allows at most 120 s');
  });

  test('the database URL comes from Secrets Manager, readable by the execution role only', () => {
    const secrets = list(container.Secrets, 'Secrets').map((s) => obj(s, 'secret'));
    assert.deepEqual(secrets, [{ Name: 'BILLING_DATABASE_URL', ValueFrom: ref('DatabaseUrlSecretArn') }]);
    const environmentNames = list(container.Environment, 'Environment').map((e) => obj(e, 'env').Name);
    assert.ok(!environmentNames.some((name) => String(name).includes('DATABASE')), 'no database URL in environment');

    const executionRole = obj(taskDefinition.props.ExecutionRoleArn, 'ExecutionRoleArn');
    const [executionRoleName] = list(executionRole['Fn::GetAtt'], 'ExecutionRoleArn GetAtt');
    const executionPolicies = JSON.stringify(obj(obj(resources[String(executionRoleName)], 'execution role').Properties, 'props').Policies);
    assert.match(executionPolicies, /secretsmanager:GetSecretValue/);
    assert.match(executionPolicies, /"Ref":"DatabaseUrlSecretArn"/);

    const taskRole = obj(taskDefinition.props.TaskRoleArn, 'TaskRoleArn');
    const [taskRoleName] = list(taskRole['Fn::GetAtt'], 'TaskRoleArn GetAtt');
    assert.notEqual(taskRoleName, executionRoleName);
    const taskRoleProps = obj(obj(resources[String(taskRoleName)], 'task role').Properties, 'props');
    assert.equal(taskRoleProps.Policies, undefined, 'task role has no policies');
    assert.equal(taskRoleProps.ManagedPolicyArns, undefined, 'task role has no managed policies');
  });

  test('port 9001 is reachable only from the client security group, through the load balancer', () => {
    const groups = Object.fromEntries(resourcesOfType('AWS::EC2::SecurityGroup').map(([name, r]) => [name, obj(r.Properties, name)]));
    const ingressOf = (group: string) => list(groups[group]?.SecurityGroupIngress ?? [], group).map((rule) => obj(rule, `${group} ingress`));
    assert.equal(resourcesOfType('AWS::EC2::SecurityGroupIngress').length, 0, 'all ingress is declared inline');

    // Load balancer: 9001 from the functions only.
    const [lbGroup] = list(loadBalancer.props.SecurityGroups, 'NLB SecurityGroups');
    const lbGroupName = obj(lbGroup, 'NLB security group').Ref as string;
    for (const rule of ingressOf(lbGroupName)) {
      assert.deepEqual({ ...rule, Description: undefined }, {
        IpProtocol: 'tcp', FromPort: 9001, ToPort: 9001, SourceSecurityGroupId: ref('ClientSecurityGroupId'), Description: undefined,
      });
    }
    assert.equal(ingressOf(lbGroupName).length, 1);

    // Tasks: 9001 from the load balancer only (client IP preservation is off for TCP to IP targets).
    const network = obj(obj(service.props.NetworkConfiguration, 'NetworkConfiguration').AwsvpcConfiguration, 'AwsvpcConfiguration');
    const [taskGroup] = list(network.SecurityGroups, 'task SecurityGroups');
    const taskGroupName = obj(taskGroup, 'task security group').Ref as string;
    assert.notEqual(taskGroupName, lbGroupName);
    const taskIngress = ingressOf(taskGroupName);
    assert.equal(taskIngress.length, 1);
    assert.deepEqual({ ...taskIngress[0], Description: undefined }, {
      IpProtocol: 'tcp', FromPort: 9001, ToPort: 9001, SourceSecurityGroupId: ref(lbGroupName), Description: undefined,
    });
    for (const rule of Object.values(groups).flatMap((g) => list(g.SecurityGroupIngress ?? [], 'ingress'))) {
      assert.equal(obj(rule, 'rule').CidrIp, undefined, 'no CIDR-based ingress');
    }
  });

  test('outputs the address the functions dial', () => {
    const output = obj(obj(template.Outputs, 'Outputs').BillingGrpcAddress, 'BillingGrpcAddress');
    assert.deepEqual(output.Value, { 'Fn::Sub': `\${${loadBalancer.name}.DNSName}:9001` });
  });

  test('every Ref, GetAtt, Sub variable and DependsOn names a parameter, resource or pseudo parameter', () => {
    const declared = new Set([...Object.keys(parameters), ...Object.keys(resources)]);
    const pseudo = /^AWS::(AccountId|NotificationARNs|NoValue|Partition|Region|StackId|StackName|URLSuffix)$/;
    const references: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Ref') references.push(String(value));
        if (key === 'Fn::GetAtt') references.push(String(list(value, 'GetAtt')[0]));
        if (key === 'Fn::Sub') {
          const [text, variables] = Array.isArray(value) ? value : [value, {}];
          const local = Object.keys(obj(variables, 'Sub variables'));
          for (const [, name] of String(text).matchAll(/\$\{(?!!)([^}.]+)[^}]*\}/g)) {
            if (!local.includes(name!)) references.push(name!);
          }
        }
        walk(value);
      }
    };
    walk(resources);
    walk(template.Outputs);
    for (const resource of Object.values(resources)) {
      const dependsOn = obj(resource, 'resource').DependsOn;
      if (dependsOn !== undefined) references.push(...[dependsOn].flat().map(String));
    }
    assert.ok(references.length > 20, `found ${references.length} references`);
    const dangling = references.filter((name) => !declared.has(name) && !pseudo.test(name));
    assert.deepEqual(dangling, []);
  });
});

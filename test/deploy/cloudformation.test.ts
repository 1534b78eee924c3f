/**
 * Packages the production stage (`serverless package --stage prod` with the documented fake settings of
 * scripts/deploy/example-settings.ts, into a folder of its own) and checks what production depends on:
 * the JWT authorizer on every /api route with its scopes, the runtime, the secrets kept in SSM, no
 * development seed or key, ARNs by partition, cfn-lint clean, and the connection budget.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { packageStage } from '../../scripts/deploy/emulator.js';
import { exampleDeploySettings } from '../../scripts/deploy/example-settings.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
const packageDir = mkdtempSync(path.join(tmpdir(), 'pm-package-prod-'));
after(() => rmSync(packageDir, { recursive: true, force: true }));
await packageStage('prod', packageDir);
const templateFile = path.join(packageDir, 'cloudformation-template-update-stack.json');
const template = JSON.parse(readFileSync(templateFile, 'utf8')) as { Resources: Record<string, Resource>; Outputs: Record<string, { Value: unknown }> };
const resources = Object.values(template.Resources);
const ofType = (type: string) => resources.filter((r) => r.Type === type);
const variablesOf = (fn: Resource) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

const EXPECTED_SCOPES: Record<string, string[]> = {
  'POST /api/users': ['users:manage'],
  'GET /api/users': ['users:manage'],
  'PATCH /api/users/{id}': ['users:manage'],
  'GET /api/patients': ['patients:read'],
  'POST /api/patients': ['patients:write'],
  'POST /api/patients/matches': ['patients:read'],
  'POST /api/patients/merges': ['patients:merge'],
  'POST /api/patients/merges/{mergeId}/unmerge': ['patients:merge'],
  'GET /api/patients/{id}/merges': ['patients:merge'],
  'GET /api/patients/duplicates': ['patients:merge'],
  'POST /api/patients/duplicates/decisions': ['patients:merge'],
  'GET /api/patients/{id}': ['patients:read'],
  'PUT /api/patients/{id}': ['patients:write'],
  'DELETE /api/patients/{id}': ['patients:write'],
  'GET /api/patients/{id}/billing': ['patients:read'],
  'POST /api/patients/{id}/invoices': ['patients:write'],
  'GET /api/audit-events': ['audit:read'],
  'GET /api/analytics': ['analytics:read'],
  'GET /api/outbox': ['outbox:manage'],
  'POST /api/outbox/{id}/retry': ['outbox:manage'],
};

describe('the production CloudFormation template', () => {
  test('was packaged without disturbing the running test stack', async () => {
    // serverless offline runs the stack's functions from .esbuild/offline-<port> (scripts/local/offline.ts).
    const apiUrl = new URL(process.env.API_URL ?? 'http://localhost:4400');
    assert.ok(existsSync(`.esbuild/offline-${apiUrl.port}`), 'the stack\'s build is still there');
    const response = await fetch(new URL('/.well-known/openid-configuration', apiUrl));
    assert.equal(response.status, 200);
  });

  test('declares a JWT authorizer with issuer and audience', () => {
    const [authorizer, ...others] = ofType('AWS::ApiGatewayV2::Authorizer');
    assert.equal(others.length, 0);
    assert.equal(authorizer?.Properties.AuthorizerType, 'JWT');
    const jwt = authorizer?.Properties.JwtConfiguration as { Issuer: string; Audience: string[] };
    assert.match(jwt.Issuer, /^https:\/\//);
    assert.deepEqual(jwt.Audience, ['patient-management-api']);
  });

  test('puts the JWT authorizer and the right scopes on every /api route', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').filter((r) => / \/api\//.test(String(r.Properties.RouteKey)));
    const seen = Object.fromEntries(routes.map((r) => [r.Properties.RouteKey, r.Properties]));
    assert.deepEqual(Object.keys(seen).sort(), Object.keys(EXPECTED_SCOPES).sort());
    for (const [routeKey, scopes] of Object.entries(EXPECTED_SCOPES)) {
      assert.equal(seen[routeKey]?.AuthorizationType, 'JWT', routeKey);
      assert.deepEqual(seen[routeKey]?.AuthorizationScopes, scopes, routeKey);
    }
  });

  test('serves FHIR with the JWT authorizer on every interaction and none on metadata and SMART discovery', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').filter((r) => / \/fhir\/R4\//.test(String(r.Properties.RouteKey)));
    const authorization = Object.fromEntries(routes.map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType ?? 'NONE']));
    assert.deepEqual(authorization, {
      'GET /fhir/R4/metadata': 'NONE',
      'GET /fhir/R4/.well-known/smart-configuration': 'NONE',
      'ANY /fhir/R4/{proxy+}': 'JWT',
    });
  });

  test('runs every function on nodejs22.x in the deployed stage', () => {
    const functions = ofType('AWS::Lambda::Function');
    assert.ok(functions.length >= 15);
    for (const fn of functions) {
      assert.equal(fn.Properties.Runtime, 'nodejs22.x');
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      assert.equal(variables.APP_STAGE, 'deployed');
    }
  });

  test('subscribes the analytics function to the Kafka topic patient', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    assert.equal(mappings.length, 1);
    assert.deepEqual(mappings[0]?.Properties.Topics, ['patient']);
  });

  test('keeps the secrets in SSM: functions get parameter names, never the database URL or signing key', () => {
    for (const fn of ofType('AWS::Lambda::Function')) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      assert.ok(!variables.DATABASE_URL, 'no DATABASE_URL value');
      assert.equal(variables.DATABASE_URL_PARAMETER, '/patient-management/prod/database-url');
      assert.ok(!variables.JWT_PRIVATE_KEY, 'no JWT_PRIVATE_KEY value');
    }
    const signers = ofType('AWS::Lambda::Function').filter((fn) =>
      (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.JWT_PRIVATE_KEY_PARAMETER);
    assert.ok(signers.length >= 3, 'login, refresh and jwks read the signing key parameter');
  });

  test('the outbox relay signs in to Kafka as the event source does: SCRAM over TLS with the same secret', () => {
    const kafkaSecret = exampleDeploySettings.KAFKA_SASL_SECRET_ARN;
    const mapping = ofType('AWS::Lambda::EventSourceMapping')[0];
    assert.deepEqual((mapping?.Properties.SourceAccessConfigurations as { Type: string; URI: unknown }[])
      .filter((access) => access.Type === 'SASL_SCRAM_512_AUTH'), [{ Type: 'SASL_SCRAM_512_AUTH', URI: kafkaSecret }]);
    const relay = template.Resources.OutboxRelayLambdaFunction;
    assert.ok(relay, 'the relay function');
    assert.equal(variablesOf(relay).KAFKA_TLS, 'true');
    assert.equal(variablesOf(relay).KAFKA_SASL_CREDENTIALS_SECRET_ARN, kafkaSecret);
    // The relay's role may read that secret.
    const roleName = (relay.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] ?? '';
    const statements = (template.Resources[roleName]?.Properties.Policies as { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } }[])
      .flatMap((policy) => policy.PolicyDocument.Statement);
    assert.ok(statements.some((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue') &&
      [statement.Resource].flat().includes(kafkaSecret)), `${roleName} may read ${kafkaSecret}`);
    // No other function carries Kafka settings it does not use.
    for (const [name, fn] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
      if (name !== 'OutboxRelayLambdaFunction') assert.equal(variablesOf(fn).KAFKA_SASL_CREDENTIALS_SECRET_ARN, undefined, name);
    }
  });

  test('only the signing functions\' role may read the signing key', () => {
    const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
    const readers = roles.filter(([, role]) => JSON.stringify(role).includes('jwt-private-key')).map(([name]) => name);
    assert.deepEqual(readers, ['SigningFunctionsRole']);
    const signing = ofType('AWS::Lambda::Function').filter((fn) => JSON.stringify(fn.Properties.Role).includes('SigningFunctionsRole'));
    assert.equal(signing.length, 3);
    for (const fn of signing) {
      assert.ok((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.JWT_PRIVATE_KEY_PARAMETER);
    }
  });

  test('ships no development key, seed user or local endpoint', () => {
    const templateText = JSON.stringify(template);
    assert.doesNotMatch(templateText, /PRIVATE KEY/);
    assert.doesNotMatch(templateText, /localhost/);
    const archives = readdirSync(packageDir).filter((f) => f.endsWith('.zip'));
    assert.ok(archives.length >= 15);
    for (const archive of archives) {
      const contents = execFileSync('unzip', ['-p', path.join(packageDir, archive)], { maxBuffer: 256 * 1024 * 1024 }).toString('latin1');
      // Libraries mention PEM headers; a shipped key would be a header followed by key material.
      assert.ok(!/testuser@test\.com|password123/.test(contents), `${archive} contains the dev seed user`);
      assert.ok(!/-----BEGIN (RSA )?PRIVATE KEY-----\s*[A-Za-z0-9+/]{60}/.test(contents), `${archive} contains a private key`);
    }
  });

  test('cfn-lint finds nothing in the packaged template nor in billing-service.yml', () => {
    // Exit code 0: no error, no warning, no informational finding (README, "Deploying to AWS").
    const findings = execFileSync('cfn-lint', ['--format', 'parseable', templateFile, 'billing-server/aws/billing-service.yml'], { encoding: 'utf8' });
    assert.equal(findings.trim(), '');
  });

  test('writes every ARN with the partition, and names the relay without a dependency on it', () => {
    const text = JSON.stringify(template);
    const literal = [...text.matchAll(/"arn:aws:[^"]*"/g)].map((m) => m[0]);
    // Only the deploy settings (secret ARNs the deploying job gives) may carry a literal partition.
    assert.deepEqual(literal.filter((arn) => !arn.includes(':secretsmanager:')), []);
    assert.match(text, /arn:\$\{AWS::Partition\}:lambda:\$\{AWS::Region\}:\$\{AWS::AccountId\}:function:patient-management-prod-outboxRelay/);
    for (const [name, role] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
      assert.doesNotMatch(JSON.stringify(role), /LambdaFunction"?,"Arn"/, `${name} refers to a function it may run`);
    }
  });

  test('bounds the connections of every function that reaches the database within the documented budget', () => {
    const budget = Number(template.Outputs.DatabaseConnectionBudget?.Value);
    assert.ok(budget > 0, 'the DatabaseConnectionBudget output');
    const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    // A function reaches the database when its bundle carries the PostgreSQL client (node-postgres' SCRAM auth).
    const reachesDatabase = ([name]: [string, Resource]) => {
      const archive = `${name.replace(/LambdaFunction$/, '').replace(/^./, (c) => c.toLowerCase())}.zip`;
      return execFileSync('unzip', ['-p', path.join(packageDir, archive)], { maxBuffer: 256 * 1024 * 1024 }).includes('SCRAM-SHA-256');
    };
    const databaseFunctions = functions.filter(reachesDatabase);
    assert.ok(databaseFunctions.length >= 12, `${databaseFunctions.length} functions reach the database`);
    let connections = 0;
    for (const [name, fn] of databaseFunctions) {
      const reserved = fn.Properties.ReservedConcurrentExecutions;
      const pool = Number(variablesOf(fn).DB_POOL_MAX);
      assert.ok(typeof reserved === 'number' && reserved > 0, `${name} has reserved concurrency`);
      assert.ok(pool >= 1, `${name} has DB_POOL_MAX`);
      connections += reserved * pool;
    }
    assert.ok(connections <= budget, `${connections} connections at full concurrency, budget ${budget}`);
    const relay = template.Resources.OutboxRelayLambdaFunction;
    assert.ok(Number(relay?.Properties.ReservedConcurrentExecutions) <= 2, 'the relay runs at most twice at once');
  });

  test('puts the functions behind an RDS Proxy that bounds the database connections and waits briefly', () => {
    const [proxy, ...otherProxies] = ofType('AWS::RDS::DBProxy');
    assert.equal(otherProxies.length, 0);
    assert.equal(proxy?.Properties.EngineFamily, 'POSTGRESQL');
    assert.equal(proxy?.Properties.RequireTLS, true);
    const [targetGroup] = ofType('AWS::RDS::DBProxyTargetGroup');
    const pool = targetGroup?.Properties.ConnectionPoolConfigurationInfo as Record<string, number>;
    assert.ok(pool.MaxConnectionsPercent! <= 90, 'room left for the billing server and operators');
    assert.ok(pool.ConnectionBorrowTimeout! < 10, 'a saturated database answers within the function timeout');
    assert.deepEqual(targetGroup?.Properties.DBInstanceIdentifiers, ['patient-management-example']);
  });
});

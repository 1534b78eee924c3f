/**
 * Reads what `serverless package --stage prod` generated (npm test runs it first) and checks what
 * production depends on: the JWT authorizer on every /api route with its scopes, the runtime, and
 * that no development seed or development key is shipped.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

type Resource = { Type: string; Properties: Record<string, unknown> };
const template = JSON.parse(readFileSync('.serverless/cloudformation-template-update-stack.json', 'utf8')) as { Resources: Record<string, Resource> };
const resources = Object.values(template.Resources);
const ofType = (type: string) => resources.filter((r) => r.Type === type);

const EXPECTED_SCOPES: Record<string, string[]> = {
  'POST /api/users': ['users:manage'],
  'GET /api/users': ['users:manage'],
  'PATCH /api/users/{id}': ['users:manage'],
  'GET /api/patients': ['patients:read'],
  'POST /api/patients': ['patients:write'],
  'GET /api/patients/{id}': ['patients:read'],
  'PUT /api/patients/{id}': ['patients:write'],
  'DELETE /api/patients/{id}': ['patients:write'],
  'GET /api/patients/{id}/billing': ['patients:read'],
  'POST /api/patients/{id}/invoices': ['patients:write'],
  'GET /api/audit-events': ['audit:read'],
  'GET /api/analytics': ['analytics:read'],
};

describe('the production CloudFormation template', () => {
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
    const archives = readdirSync('.serverless').filter((f) => f.endsWith('.zip'));
    assert.ok(archives.length >= 15);
    for (const archive of archives) {
      const contents = execFileSync('unzip', ['-p', `.serverless/${archive}`], { maxBuffer: 256 * 1024 * 1024 }).toString('latin1');
      // Libraries mention PEM headers; a shipped key would be a header followed by key material.
      assert.ok(!/testuser@test\.com|password123/.test(contents), `${archive} contains the dev seed user`);
      assert.ok(!/-----BEGIN (RSA )?PRIVATE KEY-----\s*[A-Za-z0-9+/]{60}/.test(contents), `${archive} contains a private key`);
    }
  });
});

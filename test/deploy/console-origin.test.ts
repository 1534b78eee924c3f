/**
 * The console in AWS, read from the packaged production template (`serverless package --stage prod`): one CloudFront origin serving the built console from a private S3 bucket (origin
 * access control) and passing /api/*, /auth/* and /.well-known/* uncached to the HTTP API, with security
 * headers on the console's responses.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { packageStage } from '../../scripts/deploy/emulator.js';

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties: Json };
// Packaged into a folder of its own: other deploy tests clean the service's .serverless folder.
const packageDir = mkdtempSync(path.join(tmpdir(), 'pm-package-console-'));
after(() => rmSync(packageDir, { recursive: true, force: true }));
await packageStage('prod', packageDir);
const template = JSON.parse(readFileSync(path.join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8')) as {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
};

/** CloudFront's managed policies (ids are the same in every account). */
const MANAGED = {
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
};
const API_PATHS = ['/api/*', '/auth/*', '/.well-known/*'];

function onlyOne(type: string): [string, Resource] {
  const found = Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  assert.equal(found.length, 1, `exactly one ${type}`);
  return found[0]!;
}

const [distributionName, distribution] = onlyOne('AWS::CloudFront::Distribution');
const config = distribution.Properties.DistributionConfig as {
  Origins: Json[];
  DefaultCacheBehavior: Json;
  CacheBehaviors: Json[];
  DefaultRootObject?: string;
};
const originOf = (behavior: Json) => config.Origins.find((o) => o.Id === behavior.TargetOriginId)!;
// The console's bucket is the one the default origin reads (osls adds its own deployment bucket).
const bucketName = (originOf(config.DefaultCacheBehavior).DomainName as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
const bucket = template.Resources[bucketName]!;

describe('the console behind CloudFront', () => {
  test('serves the console from the private bucket through origin access control', () => {
    const origin = originOf(config.DefaultCacheBehavior);
    const [controlName, control] = onlyOne('AWS::CloudFront::OriginAccessControl');

    assert.equal(bucket.Type, 'AWS::S3::Bucket');
    assert.deepEqual(origin.DomainName, { 'Fn::GetAtt': [bucketName, 'RegionalDomainName'] });
    assert.deepEqual(origin.OriginAccessControlId, { 'Fn::GetAtt': [controlName, 'Id'] });
    assert.deepEqual(origin.S3OriginConfig, { OriginAccessIdentity: '' });
    const settings = control.Properties.OriginAccessControlConfig as Json;
    assert.equal(settings.OriginAccessControlOriginType, 's3');
    assert.equal(settings.SigningBehavior, 'always');
    assert.equal(config.DefaultRootObject, 'index.html');
    assert.equal(config.DefaultCacheBehavior.ViewerProtocolPolicy, 'redirect-to-https');
  });

  test('keeps the bucket private: no public access, readable only by this distribution', () => {
    const [, policy] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: bucketName }))!;

    assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const statements = (policy.Properties.PolicyDocument as { Statement: Json[] }).Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    assert.equal(allows.length, 1);
    assert.deepEqual(allows[0]!.Principal, { Service: 'cloudfront.amazonaws.com' });
    assert.equal(allows[0]!.Action, 's3:GetObject');
    const sourceArn = JSON.stringify((allows[0]!.Condition as Json).StringEquals);
    assert.match(sourceArn, new RegExp(`distribution/\\$\\{${distributionName}\\}`));
  });

  test('sends /api/*, /auth/* and /.well-known/* to the HTTP API, uncached, with every viewer header, cookie and query', () => {
    const behaviors = new Map(config.CacheBehaviors.map((b) => [b.PathPattern as string, b]));

    assert.deepEqual([...behaviors.keys()].sort(), [...API_PATHS].sort());
    for (const path of API_PATHS) {
      const behavior = behaviors.get(path)!;
      const origin = originOf(behavior);
      assert.match(JSON.stringify(origin.DomainName), /\$\{HttpApi\}\.execute-api\./, path);
      assert.equal((origin.CustomOriginConfig as Json).OriginProtocolPolicy, 'https-only', path);
      assert.equal(behavior.CachePolicyId, MANAGED.cachingDisabled, path);
      assert.equal(behavior.OriginRequestPolicyId, MANAGED.allViewerExceptHostHeader, path);
      assert.deepEqual(new Set(behavior.AllowedMethods as string[]), new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']), path);
      assert.equal(behavior.ResponseHeadersPolicyId, undefined, `${path}: the API sets its own headers`);
    }
  });

  test('adds security headers to the console: a CSP without inline scripts that forbids framing, nosniff, a referrer policy', () => {
    const policyRef = config.DefaultCacheBehavior.ResponseHeadersPolicyId as { Ref: string };
    const policy = template.Resources[policyRef.Ref]!;
    const headers = (policy.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Json> }).SecurityHeadersConfig;

    const csp = headers.ContentSecurityPolicy!;
    const directives = new Map(
      String(csp.ContentSecurityPolicy).split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]),
    );
    assert.equal(csp.Override, true);
    const scripts = directives.get('script-src') ?? directives.get('default-src')!;
    assert.ok(scripts.length > 0);
    assert.ok(!scripts.includes("'unsafe-inline'") && !scripts.includes("'unsafe-eval'"), `script-src ${scripts.join(' ')}`);
    assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
    assert.equal(headers.ContentTypeOptions?.Override, true);
    assert.ok(headers.ReferrerPolicy?.ReferrerPolicy);
    assert.equal(headers.FrameOptions?.FrameOption, 'DENY');
  });

  test('answers client-side routes with index.html, on the console only', () => {
    const associations = config.DefaultCacheBehavior.FunctionAssociations as { EventType: string; FunctionARN: { 'Fn::GetAtt': string[] } }[];
    const [functionName, fn] = onlyOne('AWS::CloudFront::Function');

    assert.deepEqual(associations.map((a) => [a.EventType, a.FunctionARN['Fn::GetAtt'][0]]), [['viewer-request', functionName]]);
    const handler = new Function(`${String(fn.Properties.FunctionCode)}; return handler;`)() as (e: Json) => { uri: string };
    assert.equal(handler({ request: { uri: '/patients/123' } }).uri, '/index.html');
    assert.equal(handler({ request: { uri: '/assets/index-abc123.js' } }).uri, '/assets/index-abc123.js');
    for (const behavior of config.CacheBehaviors) assert.equal(behavior.FunctionAssociations, undefined);
  });

  test('outputs the console URL and the bucket to upload it to', () => {
    assert.ok(template.Outputs.ConsoleUrl);
    assert.deepEqual(template.Outputs.ConsoleBucketName?.Value, { Ref: bucketName });
  });
});

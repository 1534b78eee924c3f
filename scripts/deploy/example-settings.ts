/**
 * The settings a deployed stage requires (serverless.yml `${deploySetting:…}`), with clearly fake values:
 * reserved example names (RFC 2606 `.invalid`), the documentation account 000000000000 and ids that
 * exist nowhere. npm test packages the production template with them, the emulator deploy
 * (npm run deploy:local, test/deploy/) deploys with them. A real deployment sets its own values in the
 * deploying job's environment (README, "Deploying to AWS").
 */
const account = '000000000000';
const region = 'eu-central-1';

export const exampleDeploySettings = {
  JWT_ISSUER: 'https://api.patient-management.invalid',
  JWT_KEY_ID: 'example-key',
  // Shape only: a real JWKS carries the current and previous public keys (README, "Rotating the signing key").
  JWT_PUBLIC_JWKS: JSON.stringify({ keys: [{ kty: 'RSA', kid: 'example-key', use: 'sig', alg: 'RS256', n: 'not-a-real-key', e: 'AQAB' }] }),
  BILLING_GRPC_ADDRESS: 'billing.patient-management.invalid:9001',
  KAFKA_BROKERS: 'b-1.kafka.patient-management.invalid:9096',
  KAFKA_SASL_SECRET_ARN: `arn:aws:secretsmanager:${region}:${account}:secret:patient-management/example-kafka-scram`,
  KAFKA_SUBNET_A: 'subnet-0000000000000000a',
  KAFKA_SUBNET_B: 'subnet-0000000000000000b',
  KAFKA_SECURITY_GROUP: 'sg-00000000000000001',
  LAMBDA_SECURITY_GROUP: 'sg-00000000000000002',
  PRIVATE_SUBNET_A: 'subnet-0000000000000000a',
  PRIVATE_SUBNET_B: 'subnet-0000000000000000b',
  DATABASE_INSTANCE_ID: 'patient-management-example',
  DATABASE_SECRET_ARN: `arn:aws:secretsmanager:${region}:${account}:secret:patient-management/example-database`,
  DATABASE_PROXY_SECURITY_GROUP: 'sg-00000000000000003',
} as const satisfies Record<string, string>;

export type DeploySetting = keyof typeof exampleDeploySettings;

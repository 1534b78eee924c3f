/**
 * The one configuration module: read from the environment once, frozen, failing fast with a clear
 * message on a malformed value. Defaults exist only for local development. Secrets (DATABASE_URL,
 * JWT_PRIVATE_KEY) are read through secrets.ts.
 */
export type Stage = 'local' | 'deployed';

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`Environment variable ${name} must be a non-negative integer`);
  return value;
}

function flag(name: string): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new Error(`Environment variable ${name} must be true or false`);
}

function load() {
  const issuer = process.env.JWT_ISSUER ?? 'http://localhost:4000';
  return Object.freeze({
    serviceName: process.env.SERVICE_NAME ?? 'patient-management',
    stage: (process.env.APP_STAGE === 'local' ? 'local' : 'deployed') as Stage,
    dbPoolMax: integer('DB_POOL_MAX', 2),
    logLevel: process.env.LOG_LEVEL ?? 'info',
    jwt: Object.freeze({
      issuer,
      audience: process.env.JWT_AUDIENCE ?? 'patient-management-api',
      jwksUrl: `${issuer}/.well-known/jwks.json`,
      accessTokenTtlSeconds: Math.min(integer('ACCESS_TOKEN_TTL_SECONDS', 900), 900),
      refreshTokenTtlSeconds: integer('REFRESH_TOKEN_TTL_SECONDS', 7 * 24 * 3600),
      keyId: process.env.JWT_KEY_ID ?? 'local-dev',
      /**
       * JSON JWKS of the public keys tokens are verified with (the current signing key's and, during a
       * rotation, the retired one's); published as is at /.well-known/jwks.json. It reaches every function
       * by configuration, so no token check waits on a call to our own JWKS endpoint.
       */
      publicJwks: process.env.JWT_PUBLIC_JWKS ?? '',
    }),
    login: Object.freeze({
      maxFailures: integer('LOGIN_MAX_FAILURES', 5),
      // A clinic's staff often share one address, so the per-source limit is higher than per account.
      maxFailuresPerSource: integer('LOGIN_MAX_FAILURES_PER_SOURCE', 20),
      windowSeconds: integer('LOGIN_WINDOW_SECONDS', 15 * 60),
    }),
    billing: Object.freeze({
      grpcAddress: process.env.BILLING_GRPC_ADDRESS ?? 'localhost:9001',
    }),
    kafka: Object.freeze({
      brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',').map((b) => b.trim()).filter(Boolean),
      topic: process.env.KAFKA_TOPIC ?? 'patient',
      /**
       * How the relay reaches the brokers. Deployed: TLS (Node's CA store, or KAFKA_TLS_CA's PEM for a private
       * authority) and SASL/SCRAM-SHA-512 with the `{"username","password"}` of the secret the analytics event
       * source signs in with (the KAFKA_SASL_CREDENTIALS secret, functions/outbox/kafka-access.ts). Locally: plaintext.
       */
      tls: flag('KAFKA_TLS'),
      tlsCa: process.env.KAFKA_TLS_CA ?? '',
    }),
    patients: Object.freeze({
      /**
       * The identifier system of the medical record numbers this system assigns (FHIR `Identifier.system`). Set it
       * once, before the first patient: the migration indexes existing MRNs under it (README, "Patient identifiers").
       */
      mrnSystem: process.env.MRN_SYSTEM || 'https://patient-management.dev/fhir/sid/mrn',
    }),
    /**
     * Duplicate matching (functions/patients/patient-match.ts): the total Fellegi–Sunter weight (log2 units) from
     * which a pair is graded certain, probable or possible. Measured on the generated corpus by npm run bench.
     */
    matching: Object.freeze({
      certainThreshold: integer('MATCH_CERTAIN_WEIGHT', 28),
      probableThreshold: integer('MATCH_PROBABLE_WEIGHT', 12),
      possibleThreshold: integer('MATCH_POSSIBLE_WEIGHT', 6),
    }),
    outbox: Object.freeze({
      relayFunctionName: process.env.OUTBOX_RELAY_FUNCTION ?? '',
      lambdaEndpoint: process.env.LAMBDA_ENDPOINT ?? '',
      /** Relay runs at once (the function's reserved concurrency in AWS, enforced in the database everywhere). */
      maxConcurrentRuns: integer('OUTBOX_RELAY_CONCURRENCY', 2),
    }),
  });
}

export const config = load();
export type Config = typeof config;

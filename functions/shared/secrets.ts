/**
 * Secrets (the database URL, the token signing key, the Kafka credentials): from the environment when
 * set (local development, tests), otherwise from an SSM SecureString named by `<NAME>_PARAMETER` or a
 * Secrets Manager secret named by `<NAME>_SECRET_ARN` (deployed stages), fetched once per container.
 * Deployed templates and function configurations therefore never contain the secret itself.
 */
const cache = new Map<string, Promise<string>>();

/** The environment variables a secret may be configured in: its value, an SSM parameter, a Secrets Manager secret. */
const forms = (name: string) => ({ value: name, parameter: `${name}_PARAMETER`, secretArn: `${name}_SECRET_ARN` });

/** Whether the secret is configured in any of its three forms (a feature that needs it may be off without it). */
export function hasSecret(name: string): boolean {
  return Object.values(forms(name)).some((key) => Boolean(process.env[key]));
}

export function resolveSecret(name: string): Promise<string> {
  // The environment is read on every call (it is cheap, and tests change it); only fetches are cached.
  const direct = process.env[name];
  if (direct) return Promise.resolve(direct);
  let value = cache.get(name);
  if (!value) {
    value = load(name);
    cache.set(name, value);
    value.catch(() => cache.delete(name)); // a failed fetch is retried by the next request
  }
  return value;
}

// Bounded, so an unreachable endpoint fails the request instead of hanging until the Lambda timeout.
const clientSettings = { maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 } };

async function load(name: string): Promise<string> {
  const form = forms(name);
  const parameter = process.env[form.parameter];
  const secretArn = process.env[form.secretArn];
  if (parameter) return fromParameterStore(parameter);
  if (secretArn) return fromSecretsManager(secretArn);
  throw new Error(`Missing configuration: set ${form.value}, ${form.parameter} or ${form.secretArn}`);
}

async function fromParameterStore(parameter: string): Promise<string> {
  // Loaded only here: the AWS SDK ships with the Lambda runtime and is not needed locally.
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const result = await new SSMClient(clientSettings).send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
  const secret = result.Parameter?.Value;
  if (!secret) throw new Error(`SSM parameter ${parameter} is empty`);
  return secret;
}

async function fromSecretsManager(secretArn: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const result = await new SecretsManagerClient(clientSettings).send(new GetSecretValueCommand({ SecretId: secretArn }));
  const secret = result.SecretString;
  if (!secret) throw new Error(`Secrets Manager secret ${secretArn} has no text value`);
  return secret;
}

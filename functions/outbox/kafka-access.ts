/** How the relay signs in to the brokers (config.kafka): TLS and SCRAM credentials where configured, nothing locally. */
import { config } from '../shared/config.js';
import type { KafkaClientOptions, ScramCredentials } from '../shared/kafka.js';
import { hasSecret, resolveSecret } from '../shared/secrets.js';

export async function kafkaAccess(): Promise<Pick<KafkaClientOptions, 'tls' | 'scram'>> {
  const { tls, tlsCa } = config.kafka;
  const access = { tls: tlsCa ? { ca: tlsCa } : tls };
  // Sign-in is on wherever its credentials are configured, in whichever of the secret's forms.
  if (!hasSecret('KAFKA_SASL_CREDENTIALS')) return access;
  return { ...access, scram: scramCredentials(await resolveSecret('KAFKA_SASL_CREDENTIALS')) };
}

/**
 * The secret as the Lambda Kafka event source reads it too: JSON `{"username","password"}`. Errors never
 * repeat the text, which is a password.
 */
export function scramCredentials(text: string): ScramCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('Kafka SASL credentials are not JSON; expected {"username","password"}');
  }
  const { username, password } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
    throw new Error('Kafka SASL credentials need a non-empty "username" and "password"');
  }
  return { username, password };
}

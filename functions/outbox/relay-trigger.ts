/**
 * Asks the outbox relay to run now, without waiting for it: an asynchronous Lambda invoke
 * (InvocationType Event). If the kick fails, nothing is lost: the scheduled sweep delivers the rows.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';

/** The payload of a kick; any other invocation (the schedule, the local sweep) is a sweep. */
export const KICK = { trigger: 'patient-change' } as const;
export type RelayEvent = { trigger?: string };
const kickPayload = Buffer.from(JSON.stringify(KICK));

let client: LambdaClient | undefined;

function lambda(): LambdaClient {
  client ??= new LambdaClient({
    ...(config.outbox.lambdaEndpoint ? { endpoint: config.outbox.lambdaEndpoint } : {}),
    requestHandler: { requestTimeout: 1000, connectionTimeout: 500 },
    maxAttempts: 1,
  });
  return client;
}

export async function kickOutboxRelay(log: Logger): Promise<void> {
  if (!config.outbox.relayFunctionName) return;
  try {
    await lambda().send(new InvokeCommand({ FunctionName: config.outbox.relayFunctionName, InvocationType: 'Event', Payload: kickPayload }));
  } catch (error) {
    log.warn({ err: { type: (error as Error).name, message: (error as Error).message } }, 'outbox relay kick failed; the sweep will deliver');
  }
}

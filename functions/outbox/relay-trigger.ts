/**
 * Asks the outbox relay to run now, without waiting for it: an asynchronous Lambda invoke
 * (InvocationType Event), at most one per KICK_INTERVAL_MS per container. If the kick fails, nothing
 * is lost: the scheduled sweep delivers the rows.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';

/** The payload of a kick; any other invocation (the schedule, the local sweep) is a sweep. */
export const KICK = { trigger: 'patient-change' } as const;
export type RelayEvent = { trigger?: string };
const kickPayload = Buffer.from(JSON.stringify(KICK));

/**
 * The AWS SDK's Lambda client, loaded on the first kick: importing it costs more than the rest of a
 * patient function's cold start, and a container that only reads never kicks.
 */
let client: Promise<{ lambda: LambdaClient; InvokeCommand: typeof import('@aws-sdk/client-lambda').InvokeCommand }> | undefined;

function lambdaClient() {
  client ??= import('@aws-sdk/client-lambda').then(({ LambdaClient, InvokeCommand }) => ({
    lambda: new LambdaClient({
      ...(config.outbox.lambdaEndpoint ? { endpoint: config.outbox.lambdaEndpoint } : {}),
      requestHandler: { requestTimeout: 1000, connectionTimeout: 500 },
      maxAttempts: 1,
    }),
    InvokeCommand,
  }));
  // A failed load is not kept: the next kick tries again.
  client.catch(() => (client = undefined));
  return client;
}

/**
 * A relay run drains everything pending and then lingers (RELAY_LINGER_MS, see relay.ts) for writes that
 * commit meanwhile, so one kick serves every write of this container in the next KICK_INTERVAL_MS: a write
 * does not cost a Lambda invocation of its own. The interval is shorter than the linger, so a write that
 * skips its kick always commits while the relay its container kicked is still looking.
 */
export const KICK_INTERVAL_MS = 400;
let lastKick = -Infinity;

export async function kickOutboxRelay(log: Logger): Promise<void> {
  if (!config.outbox.relayFunctionName) return;
  const now = performance.now();
  if (now - lastKick < KICK_INTERVAL_MS) return;
  lastKick = now;
  try {
    const { lambda, InvokeCommand } = await lambdaClient();
    await lambda.send(new InvokeCommand({ FunctionName: config.outbox.relayFunctionName, InvocationType: 'Event', Payload: kickPayload }));
  } catch (error) {
    lastKick = -Infinity; // the next write tries again
    log.warn({ err: { type: (error as Error).name, message: (error as Error).message } }, 'outbox relay kick failed; the sweep will deliver');
  }
}

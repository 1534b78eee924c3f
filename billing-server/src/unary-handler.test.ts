import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { InvalidBillingRequestError } from './billing.errors.js';
import { createLogger } from './logger.js';
import { unaryHandler } from './unary-handler.js';

/** Just enough of a grpc-js server call for the handler: a request, a deadline and the cancel event. */
function fakeCall(deadline: Date | number): ServerUnaryCall<object, object> {
  const call = Object.assign(new EventEmitter(), { request: {}, cancelled: false, getDeadline: () => deadline });
  // The handler only touches the members above.
  return call as unknown as ServerUnaryCall<object, object>;
}

function invoke(handler: ReturnType<typeof unaryHandler<object, object>>, call: ServerUnaryCall<object, object>) {
  return new Promise<Partial<ServiceError> | null>((resolve) => handler(call, (error) => resolve(error ?? null)));
}

const logger = createLogger('silent');

test('a call whose deadline has passed is refused without doing the work', async () => {
  let worked = false;
  const handler = unaryHandler<object, object>('Test', logger, async () => {
    worked = true;
    return {};
  });
  const error = await invoke(handler, fakeCall(new Date(Date.now() - 10)));
  assert.equal(error?.code, status.DEADLINE_EXCEEDED);
  assert.equal(worked, false);
});

test('cancellation by the caller aborts the signal handed to the work', async () => {
  const call = fakeCall(Infinity);
  let signal: AbortSignal | undefined;
  const handler = unaryHandler<object, object>('Test', logger, (_request, abortSignal) => {
    signal = abortSignal;
    return new Promise((_resolve, reject) => abortSignal.addEventListener('abort', () => reject(abortSignal.reason)));
  });
  const result = invoke(handler, call);
  call.emit('cancelled');
  const error = await result;
  assert.equal(signal?.aborted, true);
  assert.equal(error?.code, status.CANCELLED);
});

test('a validation error becomes INVALID_ARGUMENT with its message', async () => {
  const handler = unaryHandler<object, object>('Test', logger, async () => {
    throw new InvalidBillingRequestError('currency must be an ISO 4217 code');
  });
  const error = await invoke(handler, fakeCall(Infinity));
  assert.equal(error?.code, status.INVALID_ARGUMENT);
  assert.equal(error?.details, 'currency must be an ISO 4217 code');
});

test('an unexpected error becomes INTERNAL without its details', async () => {
  const handler = unaryHandler<object, object>('Test', logger, async () => {
    throw new Error('relation "billing.accounts" does not exist');
  });
  const error = await invoke(handler, fakeCall(Infinity));
  assert.equal(error?.code, status.INTERNAL);
  assert.equal(error?.details, 'internal error');
});

/**
 * What every billing call goes through: refuse calls whose deadline already passed, turn cancellation into an
 * AbortSignal for the domain, map errors to statuses, and log one line per call (method, code, duration).
 * Request payloads are never logged.
 */
import { status, type Deadline, type handleUnaryCall } from '@grpc/grpc-js';
import { InvalidBillingRequestError } from './billing.errors.js';
import { outcomeOfError, toServiceError, type CallOutcome } from './grpc-status.js';
import type { Logger } from './logger.js';
import { undecodableReason } from './tolerant-decoding.js';

export type UnaryImplementation<Request, Response> = (request: Request, signal: AbortSignal) => Promise<Response>;

export function unaryHandler<Request, Response>(
  method: string,
  logger: Logger,
  implementation: UnaryImplementation<Request, Response>,
): handleUnaryCall<Request, Response> {
  return (call, callback) => {
    const startedAt = performance.now();
    const deadline = call.getDeadline();
    const controller = new AbortController();
    call.once('cancelled', () => controller.abort(new Error(deadlinePassed(deadline) ? 'deadline exceeded' : 'cancelled')));

    const finish = (outcome: CallOutcome, err?: unknown): void => {
      // After a cancel grpc-js has already sent CANCELLED or DEADLINE_EXCEEDED; log what the caller saw.
      const code = call.cancelled ? cancelledCode(deadline) : outcome.code;
      const line = { method, code: status[code], durationMs: Math.round((performance.now() - startedAt) * 10) / 10 };
      if (outcome.unexpected && !call.cancelled) {
        const cause = err instanceof Error ? { type: err.name, message: err.message, code: (err as { code?: unknown }).code } : {};
        logger.error({ ...line, error: cause }, 'grpc call failed');
      } else {
        logger.info(line, 'grpc call');
      }
    };

    if (deadlinePassed(deadline)) {
      const outcome = { code: status.DEADLINE_EXCEEDED, details: 'deadline exceeded before the call started', unexpected: false };
      finish(outcome);
      callback(toServiceError(outcome));
      return;
    }

    const reason = undecodableReason(call.request);
    const work =
      reason === undefined
        ? implementation(call.request, controller.signal)
        : Promise.reject(new InvalidBillingRequestError(`request could not be decoded: ${reason}`));
    work.then(
      (response) => {
        finish({ code: status.OK, details: '', unexpected: false });
        callback(null, response);
      },
      (err: unknown) => {
        const outcome = controller.signal.aborted
          ? { code: cancelledCode(deadline), details: 'call cancelled', unexpected: false }
          : outcomeOfError(err);
        finish(outcome, err);
        callback(toServiceError(outcome));
      },
    );
  };
}

function deadlinePassed(deadline: Deadline): boolean {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) && at <= Date.now();
}

function cancelledCode(deadline: Deadline): status {
  return deadlinePassed(deadline) ? status.DEADLINE_EXCEEDED : status.CANCELLED;
}

/**
 * grpc-js answers INTERNAL when a request fails to decode. Some well-formed requests do fail to decode here:
 * ts-proto (forceLong=number) refuses int64 values beyond Number.MAX_SAFE_INTEGER. That is a bad argument,
 * not a server fault, so decoding failures are turned into a marker the handler reports as INVALID_ARGUMENT.
 */
import type { MethodDefinition } from '@grpc/grpc-js';

const undecodable = Symbol('undecodable request');

interface UndecodableRequest {
  [undecodable]: string;
}

export function undecodableReason(request: unknown): string | undefined {
  if (typeof request === 'object' && request !== null && undecodable in request) {
    return (request as UndecodableRequest)[undecodable];
  }
  return undefined;
}

// `any` as in grpc-js's own ServiceDefinition: each method has its own request and response types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withTolerantDecoding<S extends Record<string, MethodDefinition<any, any>>>(service: S): S {
  const wrapped: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service)) {
    wrapped[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes);
        } catch (err) {
          const marker: UndecodableRequest = { [undecodable]: err instanceof Error ? err.message : String(err) };
          return marker;
        }
      },
    };
  }
  // Same keys and method types as `service`; only the request decoder of each method differs.
  return wrapped as S;
}

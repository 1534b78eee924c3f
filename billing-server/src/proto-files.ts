/**
 * Where the .proto files are at runtime. The server ships with proto/ (the container copies it beside the
 * bundle at the same relative place), so reflection and health clients can load descriptors from it.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/** Directory holding billing.proto: `proto/` of the repository, or BILLING_PROTO_DIR when set. */
export const billingProtoDir = process.env.BILLING_PROTO_DIR ?? fileURLToPath(new URL('../../proto/', import.meta.url));
export const billingProtoFile = 'billing.proto';

/** grpc-health-check ships grpc/health/v1 as proto/health/v1/health.proto inside its package. */
export const healthProtoRoot = dirname(dirname(dirname(healthProtoPath)));
export const healthProtoFile = join('health', 'v1', 'health.proto');

export const protoLoaderOptions = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

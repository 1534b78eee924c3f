/**
 * Container HEALTHCHECK: exits 0 when the local billing server reports SERVING, 1 otherwise.
 * Bundled next to the server so the image needs no grpc_health_probe binary.
 */
import { checkHealth } from './health-client.js';

const address = `127.0.0.1:${process.env.BILLING_PORT ?? '9001'}`;
try {
  const status = await checkHealth(address, { deadlineMs: 2_000 });
  console.log(`billing health: ${status}`);
  process.exit(status === 'SERVING' ? 0 : 1);
} catch (err) {
  console.log(`billing health check failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

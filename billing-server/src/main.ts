/**
 * Entry point of the billing server process: configuration from the environment, start, and a graceful stop
 * on SIGTERM (ECS, Kubernetes) or SIGINT (Ctrl-C).
 */
import { readBillingServerConfig } from './config.js';
import { createLogger } from './logger.js';
import { startBillingServer } from './server.js';

const config = readBillingServerConfig();
const logger = createLogger(config.logLevel);

try {
  const server = await startBillingServer({
    databaseUrl: config.databaseUrl,
    host: config.host,
    port: config.port,
    reflection: config.reflection,
    logger,
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'stop requested');
    server.stop(config.shutdownGraceMs).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ error: { message: err instanceof Error ? err.message : String(err) } }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
} catch (err) {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  logger.fatal({ error: { message: err instanceof Error ? err.message : String(err), cause } }, 'billing server failed to start');
  process.exit(1);
}

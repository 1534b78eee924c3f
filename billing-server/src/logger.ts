/**
 * The billing server's structured JSON logger. Request payloads are never logged; the redaction is a second
 * line of defence so a patient's name or email cannot reach the logs even if an object slips into a log call.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'billing-server' },
    redact: { paths: ['name', 'email', '*.name', '*.email', '*.*.name', '*.*.email'], censor: '[redacted]' },
  });
}

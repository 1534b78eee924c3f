/**
 * The one structured JSON logger. Request handlers use `requestLogger()` so every line carries the
 * request id and the actor. Patient fields (name, email, address, date of birth) are never logged:
 * the redaction list is a safety net, the rule is not to pass them at all.
 */
import { pino } from 'pino';
import { config } from './config.js';

export const logger = pino({
  level: config.logLevel,
  base: { service: config.serviceName, stage: config.stage },
  redact: {
    paths: ['name', 'email', 'address', 'dateOfBirth', 'password', '*.name', '*.email', '*.address', '*.dateOfBirth', '*.password', 'token', 'refreshToken', '*.token', '*.refreshToken'],
    censor: '[redacted]',
  },
});

export type Logger = typeof logger;

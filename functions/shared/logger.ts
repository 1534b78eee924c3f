/**
 * The one structured JSON logger: one line per entry on stdout, in pino's format (`{"level":30,"time":…,
 * "msg":…}`, numeric levels), which CloudWatch Logs Insights and the tests read. Request handlers use a child
 * with the request id and the actor, so every line carries them. Patient fields (name, email, address, date
 * of birth) are never logged: the redaction below is a safety net, the rule is not to pass them at all.
 *
 * Not pino itself: with its dependencies it was about 60 KB of every function's 300 KB bundle budget
 * (issue 10), and a function needs none of its transports, worker threads or formatters.
 */
import { config } from './config.js';

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;

/** Censored wherever they appear at the top of an entry or one level below (e.g. `{ body: { email } }`). */
const REDACTED_KEYS = new Set(['name', 'email', 'address', 'dateOfBirth', 'password', 'token', 'refreshToken']);
const CENSOR = '[redacted]';

type Fields = Record<string, unknown>;

function censored(value: unknown, depth: number): unknown {
  if (value instanceof Error) return { type: value.name, message: value.message, stack: value.stack };
  if (depth > 1 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const copy: Fields = {};
  for (const [key, item] of Object.entries(value)) copy[key] = REDACTED_KEYS.has(key) ? CENSOR : censored(item, depth + 1);
  return copy;
}

function serialize(entry: Fields): string {
  try {
    return JSON.stringify(entry);
  } catch {
    // A circular or otherwise unserializable value: keep the line, drop the fields.
    return JSON.stringify({ level: entry.level, time: entry.time, msg: entry.msg, logError: 'fields could not be serialized' });
  }
}

type LogMethod = {
  (fields: object, message?: string): void;
  (message: string): void;
};

export interface Logger {
  /** The lowest level written ('info' by default, LOG_LEVEL); 'silent' writes nothing. Settable per logger. */
  level: string;
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
  /** A logger whose every line also carries `bindings`. */
  child(bindings: object): Logger;
}

function createLogger(level: string, bindings: Fields): Logger {
  let current = threshold(level);
  const method = (severity: number): LogMethod =>
    ((fields: object | string, message?: string) => {
      if (severity < current) return;
      const own = typeof fields === 'string' ? { msg: fields } : { ...(censored(fields, 0) as Fields), ...(message === undefined ? {} : { msg: message }) };
      process.stdout.write(`${serialize({ level: severity, time: Date.now(), ...bindings, ...own })}\n`);
    }) as LogMethod;
  return {
    get level() {
      return level;
    },
    set level(name: string) {
      current = threshold(name);
      level = name;
    },
    trace: method(LEVELS.trace),
    debug: method(LEVELS.debug),
    info: method(LEVELS.info),
    warn: method(LEVELS.warn),
    error: method(LEVELS.error),
    fatal: method(LEVELS.fatal),
    child(more) {
      return createLogger(level, { ...bindings, ...(censored(more, 0) as Fields) });
    },
  };
}

function threshold(level: string): number {
  const value = LEVELS[level as keyof typeof LEVELS];
  if (value === undefined) throw new Error(`LOG_LEVEL must be one of ${Object.keys(LEVELS).join(', ')}`);
  return value;
}

export const logger: Logger = createLogger(config.logLevel, { service: config.serviceName, stage: config.stage });

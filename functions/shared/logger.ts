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
import { originalStack } from './stack-trace.js';

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;

/** Censored wherever they appear at the top of an entry or one level below (e.g. `{ body: { email } }`). */
const REDACTED_KEYS = new Set(['name', 'email', 'address', 'dateOfBirth', 'password', 'token', 'refreshToken']);
const CENSOR = '[redacted]';

type Fields = Record<string, unknown>;

function censored(value: unknown, depth: number): unknown {
  if (value instanceof Error) return { type: value.name, message: value.message, stack: originalStack(value.stack) };
  if (depth > 1 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const copy: Fields = {};
  for (const [key, item] of Object.entries(value)) copy[key] = REDACTED_KEYS.has(key) ? CENSOR : censored(item, depth + 1);
  return copy;
}

/** `fields` as JSON members to append to an entry (`,"a":1,"b":2`), or '' when there are none. */
function members(fields: Fields): string {
  let text: string;
  try {
    text = JSON.stringify(fields);
  } catch {
    // A circular or otherwise unserializable value: keep the line, drop the fields.
    text = '{"logError":"fields could not be serialized"}';
  }
  return text.length > 2 ? `,${text.slice(1, -1)}` : '';
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

/**
 * A child's bindings are serialized once, when it is made (one per request), not again on every line: the
 * middleware chain makes two children and writes one line per request.
 */
class JsonLogger implements Logger {
  private threshold: number;

  constructor(
    private levelName: string,
    private readonly bindings: string,
  ) {
    this.threshold = threshold(levelName);
  }

  get level(): string {
    return this.levelName;
  }

  set level(name: string) {
    this.threshold = threshold(name);
    this.levelName = name;
  }

  child(bindings: object): Logger {
    return new JsonLogger(this.levelName, this.bindings + members(censored(bindings, 0) as Fields));
  }

  trace: LogMethod = (fields: object | string, message?: string) => this.write(LEVELS.trace, fields, message);
  debug: LogMethod = (fields: object | string, message?: string) => this.write(LEVELS.debug, fields, message);
  info: LogMethod = (fields: object | string, message?: string) => this.write(LEVELS.info, fields, message);
  warn: LogMethod = (fields: object | string, message?: string) => this.write(LEVELS.warn, fields, message);
  error: LogMethod = (fields: object | string, message?: string) => this.write(LEVELS.error, fields, message);
  fatal: LogMethod = (fields: object | string, message?: string) => this.write(LEVELS.fatal, fields, message);

  private write(level: number, fields: object | string, message: string | undefined): void {
    if (level < this.threshold) return;
    const own = typeof fields === 'string' ? '' : members(censored(fields, 0) as Fields);
    const msg = typeof fields === 'string' ? fields : message;
    process.stdout.write(`{"level":${level},"time":${Date.now()}${this.bindings}${own}${msg === undefined ? '' : `,"msg":${JSON.stringify(msg)}`}}\n`);
  }
}

function threshold(level: string): number {
  const value = LEVELS[level as keyof typeof LEVELS];
  if (value === undefined) throw new Error(`LOG_LEVEL must be one of ${Object.keys(LEVELS).join(', ')}`);
  return value;
}

export const logger: Logger = new JsonLogger(config.logLevel, members({ service: config.serviceName, stage: config.stage }));

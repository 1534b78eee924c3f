/**
 * FHIR date search values: an optional prefix and a date or dateTime of some precision, which stands for a range —
 * '1984' is all of 1984, [1984-01-01, 1985-01-01). The repository compares the stored value with that range:
 *   eq: start <= v < end        ne: not eq
 *   gt / sa: v >= end           lt / eb: v < start
 *   ge: v >= start              le: v < end
 * (`sa`/`eb` equal `gt`/`lt` because our stored values — a birth date, an update instant — are points, not ranges.)
 */
import { pad, parseFhirDate } from './fhir-values.js';

export const DATE_PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'] as const;
export type DatePrefix = (typeof DATE_PREFIXES)[number];

/** A date value's own range [start, end): 'YYYY-MM-DD' for dates, ISO instants ('…T10:00:00.000Z') for instants. */
export interface DateValue {
  prefix: DatePrefix;
  start: string;
  end: string;
}

/** `date`: YYYY, YYYY-MM, YYYY-MM-DD. `instant`: those (as UTC days) or a dateTime to the minute or finer. */
export type DateKind = 'date' | 'instant';

export type DateParse = { value: DateValue } | { error: 'prefix'; prefix: string } | { error: 'date' };

/** UTC milliseconds of a calendar moment; Date.UTC would read years 0–99 as 1900–1999. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

function formatInstant(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`;
}

const formatDay = (ms: number) => formatInstant(ms).split('T')[0] ?? '';

/** [start, end) in UTC ms of a date or dateTime, undefined when it is not one (or not in the calendar). */
function rangeOf(text: string, kind: DateKind): [number, number] | undefined {
  const date = parseFhirDate(text);
  if (date) {
    const { year, month = 1, day = 1, precision } = date;
    const start = utc(year, month, day);
    const end = precision === 'year' ? utc(year + 1, 1, 1) : precision === 'month' ? utc(year, month + 1, 1) : utc(year, month, day + 1);
    return [start, end];
  }
  if (kind !== 'instant') return undefined;
  const match = /^([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,3}))?)?(Z|([+-])([0-9]{2}):([0-9]{2}))?$/.exec(text);
  const day = match && parseFhirDate(match[1] ?? '');
  if (!match || !day) return undefined;
  const [hour, minute, second] = [Number(match[2]), Number(match[3]), Number(match[4] ?? 0)];
  const fraction = match[5] ?? '';
  const [offsetHours, offsetMinutes] = [Number(match[8] ?? 0), Number(match[9] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 14 || offsetMinutes > 59) return undefined;
  // No zone: taken as UTC (FHIR leaves it to the server); the range is as wide as the precision given.
  const offset = (match[7] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const start = utc(day.year, day.month ?? 1, day.day ?? 1, hour, minute, second, Number(fraction.padEnd(3, '0'))) - offset;
  const width = match[4] === undefined ? 60_000 : fraction === '' ? 1000 : 10 ** (3 - fraction.length);
  return [start, start + width];
}

const MIN_INSTANT = utc(1, 1, 1);

export function parseDateValue(text: string, kind: DateKind): DateParse {
  const prefixMatch = /^([a-z]{2})(?=[0-9])/.exec(text);
  const prefix = prefixMatch?.[1] ?? 'eq';
  if (!(DATE_PREFIXES as readonly string[]).includes(prefix)) return { error: 'prefix', prefix };
  const range = rangeOf(prefixMatch ? text.slice(2) : text, kind);
  if (!range || range[0] < MIN_INSTANT) return { error: 'date' };
  const format = kind === 'date' ? formatDay : formatInstant;
  return { value: { prefix: prefix as DatePrefix, start: format(range[0]), end: format(range[1]) } };
}

/**
 * The shortest text that parses back to `value` (UTC, no prefix when `eq`): the canonical form for self links.
 * Every value parseDateValue returns has one.
 */
export function formatDateValue(value: DateValue, kind: DateKind): string {
  const s = value.start;
  const candidates = kind === 'date'
    ? [s.slice(0, 4), s.slice(0, 7), s.slice(0, 10)]
    : [s.slice(0, 4), s.slice(0, 7), s.slice(0, 10), ...[16, 19, 21, 22, 23].map((n) => `${s.slice(0, n)}Z`)];
  const text = candidates.find((candidate) => {
    const parsed = parseDateValue(candidate, kind);
    return 'value' in parsed && parsed.value.start === value.start && parsed.value.end === value.end;
  });
  if (text === undefined) throw new Error(`not a parsed date value: ${JSON.stringify(value)}`);
  return value.prefix === 'eq' ? text : `${value.prefix}${text}`;
}

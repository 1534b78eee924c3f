/**
 * The parameters of a history interaction (`GET Patient/{id}/_history`): `_count` (a page, default 20, at most
 * 100), `_since` (versions recorded at or after an instant) and `_cursor` (where the page starts, only ever from a
 * Bundle's next link). Anything else is 400 naming it, as in a search; `Prefer: handling=lenient` ignores it.
 */
import type { HistoryPosition } from '../patients/patients.repository.js';
import { badParameter } from './operation-outcome.js';
import { parseDateValue } from './search-dates.js';
import { DEFAULT_COUNT, readCount, ROUTER_PARAMETERS } from './search-params.js';

export interface HistoryQuery {
  count: number;
  since?: string;
  /** The version the page starts before, from `_cursor`. */
  beforeVersion?: number;
}

const CURSOR_KIND = 'history:';


export const encodeHistoryCursor = (beforeVersion: number) => Buffer.from(`${CURSOR_KIND}${beforeVersion}`).toString('base64url');

function decodeHistoryCursor(cursor: string): number {
  const decoded = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^history:([1-9]\d{0,8})$/.exec(decoded);
  if (!match?.[1]) throw badParameter('_cursor', 'invalid', '_cursor is not a paging token this server issued; follow the Bundle next link.');
  return Number(match[1]);
}

function sinceValue(value: string): string {
  const parsed = /^[0-9]/.test(value) ? parseDateValue(value, 'instant') : { error: 'date' as const };
  if (!('value' in parsed)) throw badParameter('_since', 'invalid', `_since: '${value}' is not an instant (YYYY-MM-DDThh:mm[:ss[.sss]][Z|±hh:mm], or a date).`);
  return parsed.value.start;
}

export function parseHistoryQuery(query: Array<[string, string]>, lenient: boolean): HistoryQuery {
  const history: HistoryQuery = { count: DEFAULT_COUNT };
  const seen = new Set<string>();
  for (const [name, value] of query) {
    if (ROUTER_PARAMETERS.has(name)) continue;
    if (name !== '_count' && name !== '_since' && name !== '_cursor') {
      if (lenient) continue;
      throw badParameter(name, 'not-supported', `Unknown history parameter '${name}' (_count, _since and _cursor are supported).`);
    }
    if (seen.has(name)) throw badParameter(name, 'invalid', `${name} may be given only once.`);
    seen.add(name);
    if (name === '_count') {
      history.count = readCount(value);
    } else if (name === '_since') {
      history.since = sinceValue(value);
    } else {
      history.beforeVersion = decodeHistoryCursor(value);
    }
  }
  return history;
}

/** The canonical query of a history page, for the Bundle's self and next links; parseHistoryQuery reads it back. */
export function serializeHistoryQuery(history: HistoryQuery): Array<[string, string]> {
  const query: Array<[string, string]> = [['_count', String(history.count)]];
  if (history.since !== undefined) query.push(['_since', history.since]);
  if (history.beforeVersion !== undefined) query.push(['_cursor', encodeHistoryCursor(history.beforeVersion)]);
  return query;
}

export const historyPosition = (history: HistoryQuery): HistoryPosition => ({ beforeVersion: history.beforeVersion, since: history.since });

import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { formatDate, formatDateTime } from './dates';

describe('dates as the console shows them', () => {
  const zone = process.env.TZ;
  beforeEach(() => {
    process.env.TZ = 'Europe/Zurich';
  });
  afterEach(() => {
    process.env.TZ = zone;
  });

  test('a date is YYYY-MM-DD in the local time zone', () => {
    expect(formatDate('2026-12-31T23:30:00Z')).toBe('2027-01-01');
  });

  test('a time adds hours and minutes, zero-padded', () => {
    expect(formatDateTime('2026-03-04T05:06:59Z')).toBe('2026-03-04 06:06');
  });
});

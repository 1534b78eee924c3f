/**
 * Checks on single values shared by the Patient mapping and search parsing, so a value the mapping accepts is
 * one search can find. The limits are our REST API's (openapi.yaml PatientFields), so both APIs store the same.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';

export const LIMITS = {
  name: 100,
  address: 500,
  email: 254,
  identifierSystem: 200,
  identifierValue: 200,
  identifiers: 20,
  givenNames: 5,
} as const;

/** Length in code points, as Ajv's maxLength counts it (an emoji is one, not two). */
export const lengthOf = (text: string) => [...text].length;

// The same email rule as our REST API's validator (ajv-formats, full mode).
const EMAIL = fullFormats.email as RegExp;
export const isEmail = (text: string) => lengthOf(text) <= LIMITS.email && EMAIL.test(text);

const PHONE = /^[0-9 +()\-./]{3,30}$/;
/** 3–30 characters of digits, spaces and `+ ( ) - . /`, with at least 3 digits. */
export const isPhone = (text: string) => PHONE.test(text) && (text.match(/[0-9]/g)?.length ?? 0) >= 3;

/** Not blank, not only invisible characters, no control characters (openapi.yaml's name rule). */
export const isDisplayText = (text: string) => /^[^\p{Cc}]*[^\p{Cc}\p{Cf}\p{Z}\s][^\p{Cc}]*$/u.test(text);
/** Like isDisplayText, but tabs and line breaks are allowed (openapi.yaml's address rule). */
export const isMultilineText = (text: string) => /^(?:[^\p{Cc}]|[\t\n\r])*[^\p{Cc}\s](?:[^\p{Cc}]|[\t\n\r])*$/u.test(text);
/** FHIR's uri: no whitespace; also no control characters. */
export const isUri = (text: string) => /^[^\s\p{Cc}]+$/u.test(text);
/** FHIR's id datatype. */
export const isFhirId = (text: string) => /^[A-Za-z0-9\-.]{1,64}$/.test(text);

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number) => [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;

export type DatePrecision = 'year' | 'month' | 'day';
export interface PartialDate { year: number; month?: number; day?: number; precision: DatePrecision }

/**
 * A FHIR date ('YYYY', 'YYYY-MM' or 'YYYY-MM-DD') that exists in the calendar, years 0001–9999 (PostgreSQL's date
 * has no year 0); undefined otherwise — '2023-02-30' and '1984-13' are not dates.
 */
export function parseFhirDate(text: string): PartialDate | undefined {
  const match = /^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$/.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  if (year < 1) return undefined;
  if (match[2] === undefined) return { year, precision: 'year' };
  const month = Number(match[2]);
  if (month < 1 || month > 12) return undefined;
  if (match[3] === undefined) return { year, month, precision: 'month' };
  const day = Number(match[3]);
  if (day < 1 || day > daysIn(year, month)) return undefined;
  return { year, month, day, precision: 'day' };
}

export const pad = (n: number, width = 2) => String(n).padStart(width, '0');

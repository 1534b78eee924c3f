/**
 * Readers for the parts of an incoming FHIR Patient (HumanName, ContactPoint, Address, Identifier, our extension).
 * Each checks its JSON strictly and records issues instead of throwing, so a client learns every problem at once.
 * The rule throughout: an element valid in R4 that we do not store is refused as `not-supported`, never dropped.
 */
import { issueAt, type Issue, type IssueType } from './operation-outcome.js';
import type { Identifier } from './patient-record.js';
import { isDisplayText, isMultilineText, isUri, lengthOf, LIMITS } from './fhir-values.js';

export type Json = Record<string, unknown>;

export class IssueList {
  readonly issues: Issue[] = [];
  add(expression: string, code: IssueType, diagnostics: string): undefined {
    this.issues.push(issueAt(expression, code, diagnostics));
    return undefined;
  }
  notRecorded(expression: string, why = ''): undefined {
    return this.add(expression, 'not-supported', `This server does not record ${expression}${why}; it would be lost, so the resource is refused. Send it without this element.`);
  }
}

export const isJsonObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every key of `element` must be one we store (`stored`) or is refused: `not-supported` for an R4 element we do
 * not record (`known`, and `_x` primitive extensions of any element), `structure` for anything R4 does not define.
 */
export function checkElements(list: IssueList, element: Json, path: string, stored: readonly string[], known: readonly string[]): void {
  for (const key of Object.keys(element)) {
    if (stored.includes(key)) continue;
    const base = key.startsWith('_') ? key.slice(1) : undefined;
    if (base !== undefined && (stored.includes(base) || known.includes(base))) list.notRecorded(`${path}.${key}`, ' (extensions on primitive values)');
    else if (known.includes(key)) list.notRecorded(`${path}.${key}`);
    else list.add(`${path}.${key}`, 'structure', `${key} is not an element of ${path} in FHIR R4.`);
  }
}

export function readObject(list: IssueList, value: unknown, path: string): Json | undefined {
  if (isJsonObject(value)) return value;
  return list.add(path, 'structure', `${path} must be a JSON object.`);
}

/** A FHIR JSON array: absent is fine, empty is not (FHIR JSON never has empty arrays). */
export function readArray(list: IssueList, value: unknown, path: string): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return list.add(path, 'structure', `${path} must be an array.`);
  if (value.length === 0) return list.add(path, 'structure', `${path} must not be an empty array; leave it out instead.`);
  return value;
}

/** A FHIR string: absent is fine; it must be a non-empty string (FHIR JSON has no empty strings). */
export function readString(list: IssueList, value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return list.add(path, 'value', `${path} must be a string.`);
  if (value === '') return list.add(path, 'value', `${path} must not be empty; leave it out instead.`);
  return value;
}

/** One line of text: not blank, no control characters, at most `max` characters. */
export function readLine(list: IssueList, value: unknown, path: string, max: number): string | undefined {
  const text = readString(list, value, path);
  if (text === undefined) return undefined;
  if (!isDisplayText(text)) return list.add(path, 'value', `${path} must not be blank, only invisible characters, or hold control characters.`);
  if (lengthOf(text) > max) return list.add(path, 'too-long', `${path} is longer than ${max} characters.`);
  return text;
}

const readNameText = (list: IssueList, value: unknown, path: string) => readLine(list, value, path, LIMITS.name);

export interface NameParts { text?: string; family?: string; given: string[] }

const NAME_USES = ['usual', 'official', 'temp', 'nickname', 'anonymous', 'old', 'maiden'];

/** One HumanName; `use` may only be `official` (what we send back), since we would not keep another. */
export function readName(list: IssueList, value: unknown, path: string): NameParts | undefined {
  const name = readObject(list, value, path);
  if (!name) return undefined;
  checkElements(list, name, path, ['use', 'text', 'family', 'given'], ['id', 'extension', 'prefix', 'suffix', 'period']);
  const use = readString(list, name.use, `${path}.use`);
  if (use !== undefined && use !== 'official') {
    if (NAME_USES.includes(use)) list.add(`${path}.use`, 'not-supported', `This server records only the official name; ${path}.use '${use}' would be lost.`);
    else list.add(`${path}.use`, 'code-invalid', `${path}.use '${use}' is not in http://hl7.org/fhir/ValueSet/name-use.`);
  }
  const given: string[] = [];
  const givenValues = readArray(list, name.given, `${path}.given`) ?? [];
  if (givenValues.length > LIMITS.givenNames) list.add(`${path}.given`, 'not-supported', `This server records at most ${LIMITS.givenNames} given names.`);
  givenValues.slice(0, LIMITS.givenNames).forEach((item, i) => {
    const text = readNameText(list, item, `${path}.given[${i}]`);
    if (text !== undefined) given.push(text);
  });
  const family = readNameText(list, name.family, `${path}.family`);
  const text = readNameText(list, name.text, `${path}.text`);
  return { ...(text !== undefined ? { text } : {}), ...(family !== undefined ? { family } : {}), given };
}

const CONTACT_SYSTEMS = ['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other'];

/** One ContactPoint: only `system` and `value` are stored (no use, rank or period). */
export function readContactPoint(list: IssueList, value: unknown, path: string): { system: string; value: string } | undefined {
  const point = readObject(list, value, path);
  if (!point) return undefined;
  checkElements(list, point, path, ['system', 'value'], ['id', 'extension', 'use', 'rank', 'period']);
  const system = readString(list, point.system, `${path}.system`);
  const text = readString(list, point.value, `${path}.value`);
  if (system === undefined) return point.system === undefined ? list.add(`${path}.system`, 'required', `${path}.system is required (email or phone).`) : undefined;
  if (!CONTACT_SYSTEMS.includes(system)) return list.add(`${path}.system`, 'code-invalid', `${path}.system '${system}' is not in http://hl7.org/fhir/ValueSet/contact-point-system.`);
  if (system !== 'email' && system !== 'phone') return list.add(`${path}.system`, 'not-supported', `This server records only an email and a phone, not a ${system}.`);
  if (text === undefined) return point.value === undefined ? list.add(`${path}.value`, 'required', `${path}.value is required.`) : undefined;
  return { system, value: text };
}

const ADDRESS_PARTS = ['line', 'city', 'district', 'state', 'postalCode', 'country'] as const;
type AddressParts = Partial<Record<Exclude<(typeof ADDRESS_PARTS)[number], 'line'>, string>> & { line?: string[] };

/**
 * Structured parts as our one address text: each line on its own line, then `city, district, state postalCode`
 * on one line (the parts present, in that order), then the country on the last line. E.g.
 * `Calle Mayor 1\nPiso 2\nMadrid, Comunidad de Madrid 28013\nES`.
 */
export function joinAddressParts(parts: AddressParts): string {
  const place = [parts.city, parts.district, parts.state].filter((p) => p !== undefined).join(', ');
  const locality = [place, parts.postalCode ?? ''].filter((p) => p !== '').join(' ');
  return [...(parts.line ?? []), locality, parts.country ?? ''].filter((p) => p !== '').join('\n');
}

/** One Address as our one text: `text`, or the parts joined (joinAddressParts), never both (the parts would be lost). */
export function readAddress(list: IssueList, value: unknown, path: string): string | undefined {
  const address = readObject(list, value, path);
  if (!address) return undefined;
  checkElements(list, address, path, ['text', ...ADDRESS_PARTS], ['id', 'extension', 'use', 'type', 'period']);
  const parts: AddressParts = {};
  const lines = readArray(list, address.line, `${path}.line`)?.map((line, i) => readLine(list, line, `${path}.line[${i}]`, LIMITS.address));
  if (lines && lines.every((line) => line !== undefined)) parts.line = lines as string[];
  for (const key of ['city', 'district', 'state', 'postalCode', 'country'] as const) {
    const part = readLine(list, address[key], `${path}.${key}`, LIMITS.address);
    if (part !== undefined) parts[key] = part;
  }
  const hasParts = ADDRESS_PARTS.some((key) => address[key] !== undefined);
  if (address.text !== undefined && hasParts) {
    return list.add(path, 'not-supported', `This server records an address as one text: send ${path}.text or its parts (line, city, district, state, postalCode, country), not both, as the parts would be lost.`);
  }
  const text = address.text !== undefined ? readString(list, address.text, `${path}.text`) : hasParts ? joinAddressParts(parts) : undefined;
  if (text === undefined) return address.text === undefined && !hasParts ? list.add(`${path}.text`, 'required', `${path} needs a text or its parts.`) : undefined;
  if (!isMultilineText(text)) return list.add(`${path}.text`, 'value', `${path}.text must not be blank or hold control characters other than tabs and line breaks.`);
  if (lengthOf(text) > LIMITS.address) return list.add(`${path}.text`, 'too-long', `${path} is longer than ${LIMITS.address} characters.`);
  return text;
}

/** One external Identifier: only `system` and `value` are stored. */
export function readIdentifier(list: IssueList, identifier: Json, path: string): Identifier | undefined {
  checkElements(list, identifier, path, ['system', 'value'], ['id', 'extension', 'use', 'type', 'period', 'assigner']);
  const system = readString(list, identifier.system, `${path}.system`);
  if (system !== undefined && !isUri(system)) list.add(`${path}.system`, 'value', `${path}.system must be a URI (no spaces).`);
  if (system !== undefined && lengthOf(system) > LIMITS.identifierSystem) list.add(`${path}.system`, 'too-long', `${path}.system is longer than ${LIMITS.identifierSystem} characters.`);
  if (identifier.value === undefined) return list.add(`${path}.value`, 'required', `${path}.value is required.`);
  const value = readLine(list, identifier.value, `${path}.value`, LIMITS.identifierValue);
  return value === undefined ? undefined : { ...(system !== undefined ? { system } : {}), value };
}

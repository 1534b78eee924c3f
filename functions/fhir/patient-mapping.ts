/**
 * Our patient ↔ FHIR R4 Patient: one pair of pure functions. fromFhirPatient(toFhirPatient(p)) gives back p's input
 * and MRN (tested with generated patients). Incoming resources are checked strictly: whatever R4 allows but we do not
 * store is refused as `not-supported` rather than silently dropped (patient-elements.ts has the part readers).
 */
import type { ContactPoint, Patient as FhirPatient, PatientLink } from 'fhir/r4.js';
import { GENDERS, type Gender, type Identifier, type Patient, type PatientInput } from './patient-record.js';
import { isEmail, isFhirId, isPhone, LIMITS, lengthOf, parseFhirDate } from './fhir-values.js';
import {
  checkElements, IssueList, isJsonObject, readAddress, readArray, readContactPoint, readIdentifier, readName, readObject,
  readString, type Json,
} from './patient-elements.js';
import { isSubsetted } from './subsetting.js';
import type { Issue } from './operation-outcome.js';

export { issueAt, type Issue } from './operation-outcome.js';
export { joinAddressParts } from './patient-elements.js';

export const REGISTERED_DATE_EXTENSION = 'https://patient-management.dev/fhir/StructureDefinition/registered-date';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const MRN_TYPE = { coding: [{ system: V2_0203, code: 'MR', display: 'Medical record number' }] };

export interface MappingSettings {
  /** The identifier system of our MRNs, e.g. 'https://patient-management.dev/fhir/mrn'. */
  mrnSystem: string;
}

export function toFhirPatient(p: Patient, settings: MappingSettings): FhirPatient {
  const links = patientLinks(p);
  const telecom: ContactPoint[] = [{ system: 'email', value: p.email }];
  if (p.phone !== null) telecom.push({ system: 'phone', value: p.phone });
  return {
    resourceType: 'Patient',
    id: p.id,
    meta: { versionId: String(p.version), lastUpdated: p.updatedAt },
    extension: [{ url: REGISTERED_DATE_EXTENSION, valueDate: p.registeredDate }],
    identifier: [
      { use: 'usual', type: MRN_TYPE, system: settings.mrnSystem, value: p.mrn },
      ...p.formerMrns.map((value) => ({ use: 'old' as const, type: MRN_TYPE, system: settings.mrnSystem, value })),
      ...p.identifiers.map((i) => ({ ...(i.system !== undefined ? { system: i.system } : {}), value: i.value })),
    ],
    active: p.active,
    name: [{
      use: 'official',
      text: p.name,
      ...(p.familyName !== null ? { family: p.familyName } : {}),
      ...(p.givenNames.length > 0 ? { given: p.givenNames } : {}),
    }],
    telecom,
    ...(p.gender !== null ? { gender: p.gender } : {}),
    birthDate: p.dateOfBirth,
    address: [{ text: p.address }],
    ...(links.length > 0 ? { link: links } : {}),
  };
}

/** Merges (issue 21) as FHIR links: a merged record is `replaced-by` its target, which `replaces` it. */
function patientLinks(p: Patient): PatientLink[] {
  return [
    ...(p.mergedInto !== null ? [{ other: { reference: `Patient/${p.mergedInto}` }, type: 'replaced-by' as const }] : []),
    ...p.replaces.map((id) => ({ other: { reference: `Patient/${id}` }, type: 'replaces' as const })),
  ];
}

/** R4 Patient elements (with DomainResource's) that we read; `meta`, `text`, `language` are read and ignored. */
const STORED = ['resourceType', 'id', 'meta', 'text', 'language', 'extension', 'identifier', 'active', 'name', 'telecom', 'gender', 'birthDate', 'address', 'link'];
/** R4 Patient elements that this server does not record: refused, never dropped. */
const NOT_STORED = [
  'implicitRules', 'contained', 'modifierExtension', 'deceasedBoolean', 'deceasedDateTime', 'maritalStatus', 'multipleBirthBoolean',
  'multipleBirthInteger', 'photo', 'contact', 'communication', 'generalPractitioner', 'managingOrganization',
];
/** More issues than this say nothing new, and a hostile body could ask for millions. */
const MAX_ISSUES = 20;

export interface FromFhirPatient {
  input: PatientInput;
  /** The MRN identifier's value, when sent: the caller refuses one that differs from the record's. */
  mrn?: string;
  /** The resource's id, when sent: the caller compares it with the URL's. */
  id?: string;
  /**
   * What merges set and only merges change (former MRNs, links to merged records), when sent: a client may send
   * back what it read, so the caller accepts them as the record has them and refuses any other.
   */
  merges?: { formerMrns: string[]; links: { type: string; id: string }[] };
}

export function fromFhirPatient(resource: unknown, settings: MappingSettings): FromFhirPatient | { issues: Issue[] } {
  const list = new IssueList();
  if (!isJsonObject(resource)) return { issues: [{ severity: 'error', code: 'structure', diagnostics: 'The body must be a FHIR Patient resource (a JSON object).', expression: ['Patient'] }] };
  if (resource.resourceType === undefined) list.add('Patient.resourceType', 'structure', "resourceType is required and must be 'Patient'.");
  else if (resource.resourceType !== 'Patient') list.add('Patient.resourceType', 'invalid', `resourceType must be 'Patient', not ${JSON.stringify(resource.resourceType)}.`);
  if (list.issues.length > 0) return { issues: list.issues };
  // A _summary or _elements view stored back would erase what it left out: refused before anything else is said.
  if (isSubsetted(resource.meta)) {
    return { issues: [{ severity: 'error', code: 'business-rule', diagnostics: 'This Patient is tagged SUBSETTED (a _summary or _elements view): read the whole record and send that.', expression: ['Patient.meta.tag'] }] };
  }

  checkElements(list, resource, 'Patient', STORED, NOT_STORED);
  const id = readString(list, resource.id, 'Patient.id');
  if (id !== undefined && !isFhirId(id)) list.add('Patient.id', 'value', 'Patient.id must be 1–64 letters, digits, - or .');
  readString(list, resource.language, 'Patient.language');
  if (resource.meta !== undefined) readObject(list, resource.meta, 'Patient.meta');
  if (resource.text !== undefined) readObject(list, resource.text, 'Patient.text');
  if (resource.active !== undefined && typeof resource.active !== 'boolean') list.add('Patient.active', 'value', 'Patient.active must be true or false.');
  if (resource.active === false) list.add('Patient.active', 'not-supported', 'A patient becomes inactive only by a merge ($merge); delete the patient instead of sending active: false.');
  const links = readLinks(list, resource.link);

  const registeredDate = readRegisteredDate(list, resource.extension);
  const { mrn, formerMrns, identifiers } = readIdentifiers(list, resource.identifier, settings);
  const names = readArray(list, resource.name, 'Patient.name');
  if (names && names.length > 1) list.add('Patient.name[1]', 'not-supported', 'This server records one name per patient.');
  const name = names ? readName(list, names[0], 'Patient.name[0]') : undefined;
  const displayName = name?.text ?? ([...name?.given ?? [], ...(name?.family !== undefined ? [name.family] : [])].join(' ') || undefined);
  if (displayName !== undefined && lengthOf(displayName) > LIMITS.name) list.add('Patient.name[0]', 'too-long', `The name is longer than ${LIMITS.name} characters.`);
  const { email, phone } = readTelecom(list, resource.telecom);
  const gender = readGender(list, resource.gender);
  const birthDate = readDate(list, resource.birthDate, 'Patient.birthDate');
  const addresses = readArray(list, resource.address, 'Patient.address');
  if (addresses && addresses.length > 1) list.add('Patient.address[1]', 'not-supported', 'This server records one address per patient.');
  const address = addresses ? readAddress(list, addresses[0], 'Patient.address[0]') : undefined;

  // Required means not sent at all: a value sent but wrong already has its own issue.
  const sent = (items: unknown, has: (item: Json) => boolean) => Array.isArray(items) && items.some((item) => isJsonObject(item) && has(item));
  if (!sent(resource.name, (n) => n.text !== undefined || n.family !== undefined || n.given !== undefined)) list.add('Patient.name', 'required', 'A name is required: text, family or given.');
  if (resource.birthDate === undefined) list.add('Patient.birthDate', 'required', 'Patient.birthDate is required.');
  if (!sent(resource.telecom, (t) => t.system === 'email')) list.add('Patient.telecom', 'required', 'An email (a telecom with system email) is required.');
  if (resource.address === undefined) list.add('Patient.address', 'required', 'An address is required.');

  if (list.issues.length > 0 || displayName === undefined || email === undefined || birthDate === undefined || address === undefined) {
    return { issues: list.issues.slice(0, MAX_ISSUES) };
  }
  const input: PatientInput = {
    name: displayName, familyName: name?.family ?? null, givenNames: name?.given ?? [], gender: gender ?? null,
    phone: phone ?? null, email, address, dateOfBirth: birthDate, identifiers,
    ...(registeredDate !== undefined ? { registeredDate } : {}),
  };
  const merges = formerMrns.length > 0 || links.length > 0 ? { merges: { formerMrns, links } } : {};
  return { input, ...(mrn !== undefined ? { mrn } : {}), ...(id !== undefined ? { id } : {}), ...merges };
}

/** A full date: this server records birth and registration dates to the day, so '1984' or '1984-06' is refused. */
function readDate(list: IssueList, value: unknown, path: string): string | undefined {
  const text = readString(list, value, path);
  if (text === undefined) return undefined;
  const date = parseFhirDate(text);
  if (!date) return list.add(path, 'value', `${path} '${text}' is not a valid date (YYYY-MM-DD).`);
  if (date.precision !== 'day') return list.add(path, 'value', `${path} '${text}' is a partial date; this server records full dates (YYYY-MM-DD).`);
  return text;
}

function readGender(list: IssueList, value: unknown): Gender | undefined {
  const text = readString(list, value, 'Patient.gender');
  if (text === undefined) return undefined;
  if ((GENDERS as readonly string[]).includes(text)) return text as Gender;
  return list.add('Patient.gender', 'code-invalid', `Patient.gender '${text}' is not one of ${GENDERS.join(', ')}.`);
}

/** Our registration date travels as one extension; any other extension would be lost. */
function readRegisteredDate(list: IssueList, value: unknown): string | undefined {
  let registeredDate: string | undefined;
  (readArray(list, value, 'Patient.extension') ?? []).forEach((item, i) => {
    const path = `Patient.extension[${i}]`;
    const extension = readObject(list, item, path);
    if (!extension) return;
    if (extension.url !== REGISTERED_DATE_EXTENSION || registeredDate !== undefined) {
      list.add(path, 'not-supported', `This server does not record the extension ${JSON.stringify(extension.url)}${registeredDate !== undefined ? ' twice' : ''}; it would be lost.`);
      return;
    }
    checkElements(list, extension, path, ['url', 'valueDate'], ['id', 'extension']);
    if (extension.valueDate === undefined) list.add(`${path}.valueDate`, 'required', 'The registered-date extension needs a valueDate.');
    registeredDate = readDate(list, extension.valueDate, `${path}.valueDate`) ?? registeredDate;
  });
  return registeredDate;
}

function readIdentifiers(list: IssueList, value: unknown, settings: MappingSettings): { mrn?: string; formerMrns: string[]; identifiers: Identifier[] } {
  let mrn: string | undefined;
  const formerMrns: string[] = [];
  const identifiers: Identifier[] = [];
  (readArray(list, value, 'Patient.identifier') ?? []).forEach((item, i) => {
    const path = `Patient.identifier[${i}]`;
    const identifier = readObject(list, item, path);
    if (!identifier) return;
    if (identifier.system !== settings.mrnSystem) {
      const external = readIdentifier(list, identifier, path);
      if (external && identifiers.push(external) > LIMITS.identifiers) list.add(path, 'not-supported', `This server records at most ${LIMITS.identifiers} identifiers besides the MRN.`);
    } else if (identifier.use === 'old') {
      // The MRN of a patient merged into this one (as we send it): kept by the merge, not by the client.
      const former = readMrn(list, identifier, path, 'old');
      if (former !== undefined) formerMrns.push(former);
    } else if (mrn !== undefined) {
      list.add(path, 'not-supported', "A patient has one MRN (the MRNs of patients merged into it have use 'old').");
    } else {
      mrn = readMrn(list, identifier, path, 'usual');
    }
  });
  return { ...(mrn !== undefined ? { mrn } : {}), formerMrns, identifiers };
}

const LINK_TYPES = ['replaced-by', 'replaces', 'refer', 'seealso'];

/** Patient.link as we send it: `other` a reference to a Patient here, and its type. */
function readLinks(list: IssueList, value: unknown): { type: string; id: string }[] {
  const links: { type: string; id: string }[] = [];
  (readArray(list, value, 'Patient.link') ?? []).forEach((item, i) => {
    const path = `Patient.link[${i}]`;
    const link = readObject(list, item, path);
    if (!link) return;
    checkElements(list, link, path, ['other', 'type'], ['id', 'extension', 'modifierExtension']);
    const type = readString(list, link.type, `${path}.type`);
    if (link.type === undefined) list.add(`${path}.type`, 'required', 'A link needs a type.');
    else if (type !== undefined && !LINK_TYPES.includes(type)) list.add(`${path}.type`, 'code-invalid', `${path}.type '${type}' is not one of ${LINK_TYPES.join(', ')}.`);
    const other = link.other === undefined ? list.add(`${path}.other`, 'required', 'A link needs other (a reference).') : readObject(list, link.other, `${path}.other`);
    if (!other) return;
    checkElements(list, other, `${path}.other`, ['reference'], ['id', 'extension', 'type', 'identifier', 'display']);
    const reference = readString(list, other.reference, `${path}.other.reference`);
    const id = reference === undefined ? undefined : /^Patient\/([A-Za-z0-9.-]{1,64})$/.exec(reference)?.[1];
    if (reference !== undefined && id === undefined) list.add(`${path}.other.reference`, 'value', `${path}.other.reference must be Patient/<id>.`);
    if (type !== undefined && id !== undefined) links.push({ type, id });
  });
  return links;
}

/** The MRN identifier as we send it: `use` 'usual' and the v2-0203 MR type may come back; nothing else is ours to keep. */
function readMrn(list: IssueList, identifier: Json, path: string, use: 'usual' | 'old'): string | undefined {
  checkElements(list, identifier, path, ['system', 'value', 'use', 'type'], ['id', 'extension', 'period', 'assigner']);
  if (use === 'usual' && identifier.use !== undefined && identifier.use !== 'usual') list.add(`${path}.use`, 'not-supported', "The MRN identifier's use is always 'usual'.");
  if (identifier.type !== undefined && !isMrnType(identifier.type)) list.add(`${path}.type`, 'not-supported', `The MRN identifier's type is always ${V2_0203}|MR.`);
  if (identifier.value === undefined) return list.add(`${path}.value`, 'required', 'The MRN identifier needs a value.');
  return readString(list, identifier.value, `${path}.value`);
}

function isMrnType(type: unknown): boolean {
  if (!isJsonObject(type) || Object.keys(type).some((key) => key !== 'coding' && key !== 'text')) return false;
  const coding = type.coding;
  return Array.isArray(coding) && coding.length === 1 && isJsonObject(coding[0]) && coding[0].system === V2_0203 && coding[0].code === 'MR'
    && Object.keys(coding[0]).every((key) => ['system', 'code', 'display'].includes(key));
}

/** One email (required) and at most one phone: a second of either would be lost. */
function readTelecom(list: IssueList, value: unknown): { email?: string; phone?: string } {
  const found: { email?: string; phone?: string } = {};
  (readArray(list, value, 'Patient.telecom') ?? []).forEach((item, i) => {
    const path = `Patient.telecom[${i}]`;
    const point = readContactPoint(list, item, path);
    if (!point) return;
    const system = point.system as 'email' | 'phone';
    if (found[system] !== undefined) {
      list.add(path, 'not-supported', `This server records one ${system}; the second would be lost.`);
    } else if (system === 'email' && !isEmail(point.value)) {
      list.add(`${path}.value`, 'value', `${path}.value is not a valid email address of at most ${LIMITS.email} characters.`);
    } else if (system === 'phone' && !isPhone(point.value)) {
      list.add(`${path}.value`, 'value', `${path}.value must be 3–30 characters of digits, spaces and + ( ) - . / with at least 3 digits.`);
    } else {
      found[system] = point.value;
    }
  });
  return found;
}

/** Our REST fields (AppError field errors from the service) as FHIRPath, for toOperationOutcome's fieldExpression. */
export const PATIENT_FIELD_EXPRESSIONS: Readonly<Record<string, string>> = {
  '/name': 'Patient.name[0]',
  '/familyName': 'Patient.name[0].family',
  '/givenNames': 'Patient.name[0].given',
  '/gender': 'Patient.gender',
  '/phone': "Patient.telecom.where(system='phone')",
  '/email': "Patient.telecom.where(system='email')",
  '/address': 'Patient.address[0]',
  '/dateOfBirth': 'Patient.birthDate',
  '/registeredDate': `Patient.extension('${REGISTERED_DATE_EXTENSION}')`,
  '/identifiers': 'Patient.identifier',
  '/formerMrns': "Patient.identifier.where(use='old')",
  '/replaces': 'Patient.link',
};
export const patientFieldExpression = (field: string): string | undefined => PATIENT_FIELD_EXPRESSIONS[field];

/**
 * A person's first record, and the fields a duplicate or a look-alike gets anew (email, phone, address, dates),
 * drawn the way a clinic's registrations look: common family names far more often than rare ones, a second
 * given name for some, most with a phone, a few with a national or a lab's identifier.
 */
import type { Gender, Identifier } from '../../../functions/patients/patient.table.js';
import { foldName } from '../../../functions/patients/nicknames.js';
import { CITY_NAMES, EMAIL_DOMAINS, EMAIL_WORDS, FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES, PHONE_PLANS, STREET_NAMES } from './names.js';
import { displayName, LAB_SYSTEM, NATIONAL_ID_SYSTEM, type CorpusContext, type CorpusRecord } from './record.js';

/** The first day anyone in the corpus was born. */
const EARLIEST_BIRTH = '1925-01-01';
/** Registrations in the corpus start then (a clinic's records rarely go further back). */
const EARLIEST_REGISTRATION = '2005-01-01';

const DAY_MS = 86_400_000;
const toDays = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const fromDays = (days: number) => new Date(days * DAY_MS).toISOString().slice(0, 10);

/** A date in [from, to], both 'YYYY-MM-DD'. */
export function dateBetween(context: CorpusContext, from: string, to: string): string {
  return fromDays(context.random.int(toDays(from), toDays(to)));
}

export function birthDate(context: CorpusContext): string {
  return dateBetween(context, EARLIEST_BIRTH, context.today);
}

/** A registration on or after the birth date (and after `after`, for a later duplicate), not after today. */
export function registrationDate(context: CorpusContext, dateOfBirth: string, after = EARLIEST_REGISTRATION): string {
  const from = [dateOfBirth, after, EARLIEST_REGISTRATION].sort().at(-1)!;
  return dateBetween(context, from, context.today);
}

/** A family name; the front of the list (the common names) more often, as in seed.ts. */
export function familyName(context: CorpusContext): string {
  return FAMILY_NAMES[Math.floor(Math.pow(context.random.next(), 1.5) * FAMILY_NAMES.length)]!;
}

export function givenNameFor(context: CorpusContext, gender: Gender | null): string {
  const names = gender === 'female' ? FEMALE_NAMES : gender === 'male' ? MALE_NAMES : context.random.chance(0.5) ? FEMALE_NAMES : MALE_NAMES;
  return context.random.pick(names);
}

export function gender(context: CorpusContext): Gender {
  return context.random.weighted({ female: 48, male: 48, other: 2, unknown: 2 });
}

/** Letters and digits only: what a mailbox name keeps of a name ("Nguyễn" → "nguyen", "O'Connor" → "oconnor"). */
const mailboxPart = (name: string) => foldName(name).replace(/[^a-z0-9]/g, '');

/** Taken emails get a number, as a mail provider would suggest. */
function claim(context: CorpusContext, local: string, domain: string): string {
  for (let n = 0; ; n++) {
    const email = `${local}${n === 0 ? '' : n + 1}@${domain}`;
    if (!context.emails.has(email)) {
      context.emails.add(email);
      return email;
    }
  }
}

/** An email made from the names in one of the usual patterns ("maria.garcia", "mgarcia", "garcia.maria84"). */
export function emailFromName(context: CorpusContext, given: string, family: string | null, dateOfBirth: string): string {
  const g = mailboxPart(given) || 'patient';
  const f = mailboxPart(family ?? '') || 'mail';
  const year = dateOfBirth.slice(2, 4);
  const local = context.random.pick([`${g}.${f}`, `${g}${f}`, `${g[0]}${f}`, `${g}_${f}${year}`, `${f}.${g}`, `${g}.${f}${year}`]);
  return claim(context, local, context.random.pick(EMAIL_DOMAINS));
}

/** An email unrelated to the name ("bluebird72@example.net"): a new mailbox that shares nothing. */
export function unrelatedEmail(context: CorpusContext): string {
  return claim(context, `${context.random.pick(EMAIL_WORDS)}${context.random.int(1, 999)}`, context.random.pick(EMAIL_DOMAINS));
}

export function phoneNumber(context: CorpusContext): string {
  const plan = context.random.pick(PHONE_PLANS);
  const groups = plan.groups.map((length) => Array.from({ length }, () => context.random.int(0, 9)).join(''));
  return [plan.code, ...groups].join(' ');
}

export function postalAddress(context: CorpusContext): string {
  const { random } = context;
  return `${random.int(1, 250)} ${random.pick(STREET_NAMES)}, ${random.int(10000, 99999)} ${random.pick(CITY_NAMES)}`;
}

export function labIdentifier(context: CorpusContext): Identifier {
  context.labIds += 1;
  return { system: LAB_SYSTEM, value: `LAB-${String(context.labIds).padStart(7, '0')}` };
}

/** A national id unique to the person (made from the person id, so that no two persons share one). */
const nationalIdentifier = (personId: number): Identifier => {
  const digits = String(100_000_000 + personId).padStart(9, '0');
  return { system: NATIONAL_ID_SYSTEM, value: `${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}` };
};

export interface PersonShares {
  /** Of persons: with a phone, a national id, a lab's id. */
  phone: number;
  nationalId: number;
  labId: number;
}

/** A new person's first record. */
export function makePerson(context: CorpusContext, personId: number, shares: PersonShares): CorpusRecord {
  const { random } = context;
  const sex = gender(context);
  const givenNames = [givenNameFor(context, sex)];
  if (random.chance(0.3)) givenNames.push(givenNameFor(context, sex));
  const family = familyName(context);
  const dateOfBirth = birthDate(context);
  const identifiers: Identifier[] = [];
  if (random.chance(shares.nationalId)) identifiers.push(nationalIdentifier(personId));
  if (random.chance(shares.labId)) identifiers.push(labIdentifier(context));
  return {
    personId,
    changes: [],
    name: displayName(givenNames, family),
    familyName: family,
    givenNames,
    gender: sex,
    phone: random.chance(shares.phone) ? phoneNumber(context) : null,
    email: emailFromName(context, givenNames[0]!, family, dateOfBirth),
    address: postalAddress(context),
    dateOfBirth,
    registeredDate: registrationDate(context, dateOfBirth),
    identifiers,
  };
}

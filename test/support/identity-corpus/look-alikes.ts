/**
 * Different persons who look like duplicates: twins, a parent and a child of the same name, spouses, and
 * strangers who share a common name. Each maker takes a person's first record (the anchor) and returns the
 * first record of a new person, with the resemblances a real household or a real coincidence has.
 */
import type { Gender } from '../../../functions/patients/patient.table.js';
import { areNicknames, foldName } from '../../../functions/patients/nicknames.js';
import { birthDate, emailFromName, givenNameFor, phoneNumber, postalAddress, registrationDate } from './persons.js';
import { displayName, type CorpusContext, type CorpusRecord, type LookAlikeKind } from './record.js';

type MakeLookAlike = (anchor: CorpusRecord, context: CorpusContext, personId: number) => CorpusRecord;

const YEAR_DAYS = 365.25;
const toDays = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
const shiftYears = (date: string, years: number) => new Date((toDays(date) + Math.round(years * YEAR_DAYS)) * 86_400_000).toISOString().slice(0, 10);

/** A given name that is neither the anchor's first given name nor a nickname of it. */
function otherGivenName(context: CorpusContext, gender: Gender | null, avoid: string, sameInitial: boolean): string {
  const initial = foldName(avoid)[0];
  for (let attempt = 0; attempt < 200; attempt++) {
    const name = givenNameFor(context, gender);
    const distinct = foldName(name) !== foldName(avoid) && !areNicknames(name, avoid);
    if (distinct && (!sameInitial || foldName(name)[0] === initial)) return name;
  }
  // No name of that initial in the lists: any distinct one.
  return otherGivenName(context, gender, avoid, false);
}

/** The new person's record around the fields it shares with the anchor. */
function newPerson(context: CorpusContext, personId: number, fields: Pick<CorpusRecord, 'givenNames' | 'familyName' | 'gender' | 'dateOfBirth' | 'address' | 'phone'>): CorpusRecord {
  return {
    personId,
    changes: [],
    name: displayName(fields.givenNames, fields.familyName),
    familyName: fields.familyName,
    givenNames: fields.givenNames,
    gender: fields.gender,
    phone: fields.phone,
    email: emailFromName(context, fields.givenNames[0] ?? '', fields.familyName, fields.dateOfBirth),
    address: fields.address,
    dateOfBirth: fields.dateOfBirth,
    registeredDate: registrationDate(context, fields.dateOfBirth),
    identifiers: [],
  };
}

/** Same family name, birth date and home; a different given name, often of the same initial (Anna and Anja). */
export const twin: MakeLookAlike = (anchor, context, personId) => {
  const gender = context.random.weighted<Gender>({ female: 45, male: 45, other: 5, unknown: 5 });
  const given = otherGivenName(context, gender, anchor.givenNames[0] ?? '', context.random.chance(0.5));
  return newPerson(context, personId, {
    givenNames: [given],
    familyName: anchor.familyName,
    gender,
    dateOfBirth: anchor.dateOfBirth,
    address: anchor.address,
    phone: context.random.chance(0.7) ? anchor.phone : phoneNumber(context),
  });
};

/**
 * The same given and family name at the same home, born 20–40 years before or after: a Jr. and a Sr., who
 * sometimes say so in the display name.
 */
export const parentOrChild: MakeLookAlike = (anchor, context, personId) => {
  const gap = context.random.int(20, 40) + context.random.next();
  const older = shiftYears(anchor.dateOfBirth, -gap);
  const younger = shiftYears(anchor.dateOfBirth, gap);
  // A child when one could be born by today, else a parent.
  const isChild = younger <= context.today && (older < '1925-01-01' || context.random.chance(0.5));
  const dateOfBirth = isChild ? younger : older;
  const record = newPerson(context, personId, {
    givenNames: [...anchor.givenNames],
    familyName: anchor.familyName,
    gender: anchor.gender,
    dateOfBirth,
    address: anchor.address,
    phone: context.random.chance(0.6) ? anchor.phone : phoneNumber(context),
  });
  return context.random.chance(0.3) ? { ...record, name: `${record.name} ${isChild ? 'Jr.' : 'Sr.'}` } : record;
};

/** Same family name and home, another given name, a birth date 1–12 years apart. */
export const spouse: MakeLookAlike = (anchor, context, personId) => {
  const gender: Gender = anchor.gender === 'male' ? 'female' : anchor.gender === 'female' ? 'male' : context.random.pick(['male', 'female'] as const);
  const years = context.random.int(1, 12) * (context.random.chance(0.5) ? 1 : -1);
  let dateOfBirth = shiftYears(anchor.dateOfBirth, years + context.random.next());
  if (dateOfBirth > context.today) dateOfBirth = shiftYears(anchor.dateOfBirth, -Math.abs(years));
  return newPerson(context, personId, {
    givenNames: [otherGivenName(context, gender, anchor.givenNames[0] ?? '', false)],
    familyName: anchor.familyName,
    gender,
    dateOfBirth,
    address: anchor.address,
    phone: context.random.chance(0.5) ? anchor.phone : phoneNumber(context),
  });
};

/** The same given and family name (the anchors are drawn from common names), nothing else in common. */
export const commonNameStranger: MakeLookAlike = (anchor, context, personId) => {
  let dateOfBirth = birthDate(context);
  while (dateOfBirth === anchor.dateOfBirth) dateOfBirth = birthDate(context);
  return newPerson(context, personId, {
    givenNames: [...anchor.givenNames],
    familyName: anchor.familyName,
    gender: anchor.gender,
    dateOfBirth,
    address: postalAddress(context),
    phone: context.random.chance(0.8) ? phoneNumber(context) : null,
  });
};

export const LOOK_ALIKE_MAKERS: Readonly<Record<LookAlikeKind, MakeLookAlike>> = {
  twin,
  'parent-child': parentOrChild,
  spouse,
  'common-name': commonNameStranger,
};

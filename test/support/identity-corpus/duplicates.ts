/**
 * Duplicates made the way real ones are: the same person registered again with one to three things different
 * (a typo, a nickname, a transposed birth date, a new email or address, a married name, …). Each kind is one
 * function from the record so far to the changed record, or null when it cannot apply (no accent to drop, a
 * birth day above 12 to transpose); `makeDuplicate` draws kinds until enough of them applied.
 */
import { foldName, nicknamesOf } from '../../../functions/patients/nicknames.js';
import { emailFromName, familyName, phoneNumber, postalAddress, registrationDate, unrelatedEmail } from './persons.js';
import { displayName, LAB_SYSTEM, type CorpusContext, type CorpusRecord, type DuplicateKind } from './record.js';
import { typo } from './typos.js';

type MakeKind = (record: CorpusRecord, context: CorpusContext) => CorpusRecord | null;

const withNames = (record: CorpusRecord, givenNames: string[], family: string | null): CorpusRecord => ({
  ...record,
  givenNames,
  familyName: family,
  name: displayName(givenNames, family),
});

/** Letters `foldName`'s decomposition leaves alone, replaced the way a keyboard without them types them. */
const UNDECOMPOSED: Record<string, string> = { ß: 'ss', æ: 'ae', Æ: 'Ae', ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', ı: 'i' };

/** The name typed without accents, case kept ("Müller" → "Muller", "Łukasz" → "Lukasz"). */
export function withoutAccents(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').replace(/[ßæÆøØłŁđĐı]/g, (c) => UNDECOMPOSED[c]!).normalize('NFC');
}

const validDate = (year: number, month: number, day: number) => {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

export const typoInFamily: MakeKind = (record, { random }) => {
  const family = record.familyName && typo(record.familyName, random);
  return family ? withNames(record, record.givenNames, family) : null;
};

export const typoInGiven: MakeKind = (record, { random }) => {
  const [first, ...rest] = record.givenNames;
  const changed = first && typo(first, random);
  return changed ? withNames(record, [changed, ...rest], record.familyName) : null;
};

export const accentDropped: MakeKind = (record) => {
  const given = record.givenNames.map(withoutAccents);
  const family = record.familyName && withoutAccents(record.familyName);
  const changed = family !== record.familyName || given.some((name, i) => name !== record.givenNames[i]);
  return changed ? withNames(record, given, family) : null;
};

/** Given and family typed into each other's fields; a second given name gets lost on the way. */
export const namesSwapped: MakeKind = (record) => {
  const first = record.givenNames[0];
  if (!first || !record.familyName || foldName(first) === foldName(record.familyName)) return null;
  return withNames(record, [record.familyName], first);
};

/** "J. Smith": the first given name as an initial, the others left out. */
export const initialForGiven: MakeKind = (record) => {
  const first = record.givenNames[0];
  if (!first || first.length < 2 || first.endsWith('.')) return null;
  return withNames(record, [`${[...first][0]!.toUpperCase()}.`], record.familyName);
};

/** A nickname for the first given name, or the formal name for a nickname. */
export const nickname: MakeKind = (record, { random }) => {
  const [first, ...rest] = record.givenNames;
  const options = first ? nicknamesOf(first) : [];
  return options.length > 0 ? withNames(record, [random.pick(options), ...rest], record.familyName) : null;
};

/** Day and month swapped (05/03 for 03/05): only when both could be a month and they differ. */
export const dateTransposed: MakeKind = (record) => {
  const [year, month, day] = record.dateOfBirth.split('-');
  if (Number(day) > 12 || day === month) return null;
  return { ...record, dateOfBirth: `${year}-${day}-${month}` };
};

/** One digit of the birth date mistyped (the decade, the year, the month or the day), still a valid past date. */
export const dateDigit: MakeKind = (record, context) => {
  const { random } = context;
  const positions = [2, 3, 5, 6, 8, 9];
  for (let attempt = 0; attempt < 20; attempt++) {
    const chars = [...record.dateOfBirth];
    const at = random.pick(positions);
    const digit = String(random.int(0, 9));
    if (chars[at] === digit) continue;
    chars[at] = digit;
    const date = chars.join('');
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    if (validDate(year, month, day) && date <= context.today) return { ...record, dateOfBirth: date };
  }
  return null;
};

/** A new family name after a marriage; the given names and the birth date stay. The email may follow. */
export const marriedName: MakeKind = (record, context) => {
  let family = familyName(context);
  while (foldName(family) === foldName(record.familyName ?? '')) family = familyName(context);
  return withNames(record, record.givenNames, family);
};

export const emailChanged: MakeKind = (record, context) => ({ ...record, email: unrelatedEmail(context) });

export const phoneChanged: MakeKind = (record, context) => ({ ...record, phone: phoneNumber(context) });

export const addressChanged: MakeKind = (record, context) => {
  let address = postalAddress(context);
  while (address === record.address) address = postalAddress(context);
  return { ...record, address };
};

/** The lab's identifier of the first record, sent again by the lab with the new registration. */
export const sharedIdentifier: MakeKind = (record) => {
  const lab = record.identifiers.find((identifier) => identifier.system === LAB_SYSTEM);
  return lab ? { ...record, identifiers: [lab] } : null;
};

export const DUPLICATE_MAKERS: Readonly<Record<DuplicateKind, MakeKind>> = {
  'typo-family': typoInFamily,
  'typo-given': typoInGiven,
  'accent-dropped': accentDropped,
  'names-swapped': namesSwapped,
  initial: initialForGiven,
  nickname,
  'date-transposed': dateTransposed,
  'date-digit': dateDigit,
  'married-name': marriedName,
  'email-changed': emailChanged,
  'phone-changed': phoneChanged,
  'address-changed': addressChanged,
  'shared-identifier': sharedIdentifier,
};

/** Kinds that rewrite the same thing: one of each group in a duplicate, so that the labels stay true. */
const EXCLUSIVE: readonly (readonly DuplicateKind[])[] = [
  ['typo-given', 'initial', 'nickname'],
  ['date-transposed', 'date-digit'],
];
const excludedBy = (kind: DuplicateKind, chosen: readonly DuplicateKind[]) =>
  chosen.includes(kind) || EXCLUSIVE.some((group) => group.includes(kind) && group.some((other) => chosen.includes(other)));

/**
 * A new registration of the person of `original`, with `changes` kinds drawn by weight (kinds that cannot
 * apply are drawn again). Every duplicate gets its own email (live emails are unique): one made from its names
 * like anyone's unless the kind is `email-changed`; it carries no identifier unless `shared-identifier`.
 */
export function makeDuplicate(original: CorpusRecord, context: CorpusContext, weights: Readonly<Record<DuplicateKind, number>>, changes: number): CorpusRecord {
  let record: CorpusRecord = { ...original, identifiers: [], changes: [] };
  const applied: DuplicateKind[] = [];
  for (let attempt = 0; attempt < 50 && applied.length < changes; attempt++) {
    const kind = context.random.weighted(weights);
    if (excludedBy(kind, applied)) continue;
    // The identifier comes from the original: the record so far has none.
    const changed = DUPLICATE_MAKERS[kind](kind === 'shared-identifier' ? { ...record, identifiers: original.identifiers } : record, context);
    if (!changed) continue;
    record = changed;
    applied.push(kind);
  }
  // A shared identifier alone would be found by the identifier only: another field varies with it.
  if (applied.length === 1 && applied[0] === 'shared-identifier') {
    record = addressChanged(record, context)!;
    applied.push('address-changed');
  }
  // The person's own mailbox names carry their real name (the new one after a marriage), not the clerk's typo.
  const named = applied.includes('married-name') ? record : original;
  const email = applied.includes('email-changed') ? record.email : emailFromName(context, named.givenNames[0] ?? '', named.familyName, named.dateOfBirth);
  return {
    ...record,
    email,
    changes: applied,
    registeredDate: registrationDate(context, record.dateOfBirth, original.registeredDate),
  };
}

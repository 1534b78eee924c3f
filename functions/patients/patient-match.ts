/**
 * How likely two records are the same person: a Fellegi–Sunter score. Each field's agreement level adds its weight
 * log2(m/u): m is how often the level occurs when the two records are the same person, u how often by chance
 * between two different people. The weights below come from those estimates (the numbers beside them), with two
 * caps for the look-alikes that agree on much and are still different people:
 * - different given names (twins, spouses, siblings) are at most `possible`;
 * - different birth dates (parent and child of the same name, strangers with a common name) are at most `possible`.
 * A shared identifier (same system and value) is `certain` whatever else differs. Every contribution is returned,
 * so the console can say why. Thresholds are settings (config.ts `matching`).
 */
import { config } from '../shared/config.js';
import type { CandidateMeasures } from './patient-match.repository.js';
import { areNicknames, foldName } from './nicknames.js';

export const MATCH_GRADES = ['certain', 'probable', 'possible', 'certainly-not'] as const;
export type MatchGrade = (typeof MATCH_GRADES)[number];

export interface Contribution {
  field: 'identifier' | 'name' | 'birthDate' | 'email' | 'phone' | 'address' | 'gender';
  /** How the field compares, e.g. `exact`, `typo`, `nickname`, `transposed`, `different`. */
  agreement: string;
  weight: number;
}

export interface MatchScore {
  /** 0–1: the total weight on a scale where `certainThreshold` and above is 1. */
  score: number;
  grade: MatchGrade;
  contributions: Contribution[];
}

/** log2(m/u) for agreements, log2((1−m)/(1−u)) for disagreements, rounded; m and u estimated as noted. */
const WEIGHTS = {
  birthDate: { exact: 14, transposed: 8.5, oneDigitOff: 5.5, different: -6.5 }, // m .95/.02/.02, u 1/20000 per day of ~55 years
  family: { exact: 7.5, typo: 5, soundsAlike: 4.5, different: -3 }, // m .9, u .005 (common surnames); −3: married names change it
  given: { exact: 6.5, nickname: 5, typo: 4.5, soundsAlike: 4, initial: 2, different: -6 }, // m .9, u .01
  swapped: 12, // given and family written the other way round: both names agree
  email: { same: 8, different: -1 }, // shared by households: capped below its raw log2 weight
  phone: { same: 4, different: -1 }, // households share phones
  address: { similar: 3, different: -1 }, // similarity ≥ .6 (pg_trgm)
  genderConflict: -6,
} as const;

export interface ProbeNames {
  given: string | null;
  family: string | null;
  gender: string | null;
  dateOfBirth: string;
  /** The probe's phone and email were given (a missing field neither agrees nor disagrees). */
  hasEmail: boolean;
  hasPhone: boolean;
  hasAddress: boolean;
}

/** Lower case, without accents and without what is not a letter (`A.` is the initial `a`). */
const fold = (text: string | null) => foldName(text ?? '').replace(/[^\p{L}]/gu, '');

/**
 * One slip of the keyboard: a Levenshtein distance of 1 in a name of 3 letters or more, or 2 (two letters swapped
 * count twice) in one of 5 or more.
 */
function isTypo(distance: number | null, name: string): boolean {
  return distance !== null && ((distance <= 1 && name.length >= 3) || (distance <= 2 && name.length >= 5));
}

function nameContributions(probe: ProbeNames, candidate: CandidateMeasures): { contributions: Contribution[]; givenDiffers: boolean } {
  if (candidate.namesSwapped && fold(probe.given) !== fold(probe.family)) {
    return { contributions: [{ field: 'name', agreement: 'given and family swapped', weight: WEIGHTS.swapped }], givenDiffers: false };
  }
  const family = fold(probe.family);
  const familyAgreement: [string, number] | undefined =
    family === '' ? undefined
    : candidate.familyDistance === 0 ? ['family exact', WEIGHTS.family.exact]
    : isTypo(candidate.familyDistance, family) ? ['family typo', WEIGHTS.family.typo]
    : candidate.familySoundsAlike && family.length > 0 ? ['family sounds alike', WEIGHTS.family.soundsAlike]
    : ['family different', WEIGHTS.family.different];
  const given = fold(probe.given);
  const theirs = candidate.candidateGiven;
  const givenAgreement: [string, number] =
    given === theirs && given !== '' ? ['given exact', WEIGHTS.given.exact]
    : areNicknames(given, theirs) ? ['given nickname', WEIGHTS.given.nickname]
    : isTypo(candidate.givenDistance, given) ? ['given typo', WEIGHTS.given.typo]
    : candidate.givenSoundsAlike && given.length > 1 && theirs.length > 1 ? ['given sounds alike', WEIGHTS.given.soundsAlike]
    : given.length > 0 && theirs.length > 0 && (given.length === 1 || theirs.length === 1) && given[0] === theirs[0] ? ['given initial', WEIGHTS.given.initial]
    : ['given different', WEIGHTS.given.different];
  return {
    contributions: [
      // A probe without a family name says nothing about it.
      ...(familyAgreement ? [{ field: 'name' as const, agreement: familyAgreement[0], weight: familyAgreement[1] }] : []),
      { field: 'name', agreement: givenAgreement[0], weight: givenAgreement[1] },
    ],
    givenDiffers: givenAgreement[0] === 'given different',
  };
}

/** Day and month swapped, or one digit different (a slip of the keyboard). */
export function birthDateAgreement(probe: string, candidate: string): keyof typeof WEIGHTS.birthDate {
  if (probe === candidate) return 'exact';
  const [year, month, day] = probe.split('-');
  if (`${year}-${day}-${month}` === candidate) return 'transposed';
  const differing = [...probe].filter((character, index) => character !== candidate[index]).length;
  return differing === 1 ? 'oneDigitOff' : 'different';
}

export function scoreCandidate(probe: ProbeNames, candidate: CandidateMeasures): MatchScore {
  const { certainThreshold, probableThreshold, possibleThreshold } = config.matching;
  const contributions: Contribution[] = [];
  if (candidate.sharedIdentifier) contributions.push({ field: 'identifier', agreement: 'shared identifier', weight: certainThreshold });
  const names = nameContributions(probe, candidate);
  contributions.push(...names.contributions);
  const birth = birthDateAgreement(probe.dateOfBirth, candidate.row.date_of_birth);
  contributions.push({ field: 'birthDate', agreement: birth, weight: WEIGHTS.birthDate[birth] });
  if (probe.hasEmail) contributions.push(candidate.emailSame ? { field: 'email', agreement: 'same', weight: WEIGHTS.email.same } : { field: 'email', agreement: 'different', weight: WEIGHTS.email.different });
  if (probe.hasPhone && candidate.row.phone) contributions.push(candidate.phoneSame ? { field: 'phone', agreement: 'same', weight: WEIGHTS.phone.same } : { field: 'phone', agreement: 'different', weight: WEIGHTS.phone.different });
  if (probe.hasAddress) {
    contributions.push(candidate.addressSimilarity >= 0.6 ? { field: 'address', agreement: 'similar', weight: WEIGHTS.address.similar } : { field: 'address', agreement: 'different', weight: WEIGHTS.address.different });
  }
  const genders = new Set([probe.gender, candidate.row.gender]);
  if (genders.has('male') && genders.has('female')) contributions.push({ field: 'gender', agreement: 'conflicting', weight: WEIGHTS.genderConflict });
  const total = contributions.reduce((sum, contribution) => sum + contribution.weight, 0);
  let grade: MatchGrade = total >= certainThreshold ? 'certain' : total >= probableThreshold ? 'probable' : total >= possibleThreshold ? 'possible' : 'certainly-not';
  if (candidate.sharedIdentifier) grade = 'certain';
  else if ((names.givenDiffers || birth === 'different') && (grade === 'certain' || grade === 'probable')) grade = 'possible';
  const score = Math.round(Math.min(1, Math.max(0, total / certainThreshold)) * 1000) / 1000;
  return { score: candidate.sharedIdentifier ? 1 : score, grade, contributions };
}

/** The birth date and its likely mistypings, valid dates only: the candidates' blocking keys. */
export function birthDateVariants(date: string): string[] {
  const [year, month, day] = date.split('-');
  const variants = new Set([date, `${year}-${day}-${month}`]);
  for (let index = 0; index < date.length; index += 1) {
    if (date[index] === '-') continue;
    for (let digit = 0; digit <= 9; digit += 1) variants.add(`${date.slice(0, index)}${digit}${date.slice(index + 1)}`);
  }
  return [date, ...[...variants].filter((variant) => variant !== date && isRealDate(variant))];
}

function isRealDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  return year >= 1800 && parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}

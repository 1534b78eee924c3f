/**
 * How well a matcher's grades agree with the corpus's truth, counting "called a duplicate" as `certain` or
 * `probable` (the grades a front desk acts on). Only the pairs the truth or the prediction names are looked at;
 * every other pair of records is a true negative, counted, not listed (a corpus of n records has n(n−1)/2 pairs).
 */
import type { Corpus } from './corpus.js';
import { DUPLICATE_KINDS, LOOK_ALIKE_KINDS, type DuplicateKind, type LookAlikeKind } from './record.js';

/** FHIR's match grades (the `match-grade` extension of `$match`), strongest first. */
export const MATCH_GRADES = ['certain', 'probable', 'possible', 'certainly-not'] as const;
export type MatchGrade = (typeof MATCH_GRADES)[number];

/** A pair of records (indexes into the corpus's records, either order) and the grade the matcher gave it. */
export interface PredictedPair {
  a: number;
  b: number;
  grade: MatchGrade;
}

const calledDuplicate = (grade: MatchGrade) => grade === 'certain' || grade === 'probable';

export interface Confusion {
  records: number;
  /** Every pair of records: n(n−1)/2. */
  pairs: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  /** 1 when nothing was called a duplicate (nothing wrongly said). */
  precision: number;
  /** 1 when the corpus has no duplicates. */
  recall: number;
  f1: number;
  /** Pairs of the same person by each kind of change between the two records (a pair counts under each of its kinds). */
  byDuplicateKind: Record<DuplicateKind, { pairs: number; missed: number }>;
  /** Pairs of records of look-alike persons by kind, and how many were called duplicates; `unrelated` is all other pairs of different persons. */
  byLookAlikeKind: Record<LookAlikeKind | 'unrelated', { pairs: number; falsePositives: number }>;
  /** The grades the pairs of the same person got (`unlisted`: not in the prediction). */
  gradesOfSame: Record<MatchGrade | 'unlisted', number>;
  /** The grades the predicted pairs of different persons got. */
  gradesOfDifferent: Record<MatchGrade, number>;
}

const countsBy = <K extends string, V>(keys: readonly K[], value: () => V) => Object.fromEntries(keys.map((key) => [key, value()])) as Record<K, V>;

export function confusionTable(corpus: Pick<Corpus, 'records' | 'truth'>, predicted: readonly PredictedPair[]): Confusion {
  const { records, truth } = corpus;
  const n = records.length;
  const key = (a: number, b: number) => (a < b ? a * n + b : b * n + a);

  // The strongest grade a pair was given, if the matcher named it twice (once from each side).
  const grades = new Map<number, MatchGrade>();
  for (const { a, b, grade } of predicted) {
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0 || a >= n || b >= n || a === b) throw new Error(`not a pair of two records of the corpus: ${a}, ${b}`);
    const known = grades.get(key(a, b));
    if (known === undefined || MATCH_GRADES.indexOf(grade) < MATCH_GRADES.indexOf(known)) grades.set(key(a, b), grade);
  }

  const byDuplicateKind = countsBy(DUPLICATE_KINDS, () => ({ pairs: 0, missed: 0 }));
  const gradesOfSame = countsBy([...MATCH_GRADES, 'unlisted'] as const, () => 0);
  const same = new Set<number>();
  let truePositives = 0;
  for (const [a, b] of truth.samePerson) {
    same.add(key(a, b));
    const grade = grades.get(key(a, b));
    gradesOfSame[grade ?? 'unlisted'] += 1;
    const found = grade !== undefined && calledDuplicate(grade);
    if (found) truePositives += 1;
    for (const kind of new Set([...records[a]!.changes, ...records[b]!.changes])) {
      byDuplicateKind[kind].pairs += 1;
      if (!found) byDuplicateKind[kind].missed += 1;
    }
  }
  const falseNegatives = truth.samePerson.length - truePositives;

  // Look-alike kinds by pair of persons, and how many pairs of records each kind makes.
  const recordsOf = new Map<number, number>();
  for (const record of records) recordsOf.set(record.personId, (recordsOf.get(record.personId) ?? 0) + 1);
  const personKey = (a: number, b: number) => (a < b ? `${a}|${b}` : `${b}|${a}`);
  const lookAlikeOf = new Map<string, LookAlikeKind>();
  const byLookAlikeKind = countsBy([...LOOK_ALIKE_KINDS, 'unrelated'] as const, () => ({ pairs: 0, falsePositives: 0 }));
  for (const { personA, personB, kind } of truth.lookAlikes) {
    if (lookAlikeOf.has(personKey(personA, personB))) continue;
    lookAlikeOf.set(personKey(personA, personB), kind);
    byLookAlikeKind[kind].pairs += (recordsOf.get(personA) ?? 0) * (recordsOf.get(personB) ?? 0);
  }
  const pairs = (n * (n - 1)) / 2;
  const lookAlikePairs = LOOK_ALIKE_KINDS.reduce((sum, kind) => sum + byLookAlikeKind[kind].pairs, 0);
  byLookAlikeKind.unrelated.pairs = pairs - truth.samePerson.length - lookAlikePairs;

  const gradesOfDifferent = countsBy(MATCH_GRADES, () => 0);
  let falsePositives = 0;
  for (const [pair, grade] of grades) {
    if (same.has(pair)) continue;
    gradesOfDifferent[grade] += 1;
    if (!calledDuplicate(grade)) continue;
    falsePositives += 1;
    const a = Math.floor(pair / n);
    const b = pair % n;
    byLookAlikeKind[lookAlikeOf.get(personKey(records[a]!.personId, records[b]!.personId)) ?? 'unrelated'].falsePositives += 1;
  }

  const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
  const recall = truth.samePerson.length === 0 ? 1 : truePositives / truth.samePerson.length;
  return {
    records: n,
    pairs,
    truePositives,
    falsePositives,
    falseNegatives,
    trueNegatives: pairs - truePositives - falsePositives - falseNegatives,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    byDuplicateKind,
    byLookAlikeKind,
    gradesOfSame,
    gradesOfDifferent,
  };
}

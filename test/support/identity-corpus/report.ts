/**
 * The identity part of the bench summary in markdown: the confusion table, precision and recall against the
 * issue's goals, what kinds of duplicates were missed and what look-alikes were taken for duplicates.
 */
import { markdownTable } from '../../../bench/report.js';
import { MATCH_GRADES, type Confusion } from './confusion.js';
import { DUPLICATE_KINDS, LOOK_ALIKE_KINDS } from './record.js';

/** The goals of issue #21 for `certain + probable` on the corpus. */
export const IDENTITY_GOALS = { precision: 0.98, recall: 0.9 } as const;

const count = (value: number) => value.toLocaleString('en-US');
/** Three decimals: the goals sit at 0.98 and 0.90, two would round a miss into a pass. */
const ratio = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : '–');
const verdict = (value: number, goal: number) => (value >= goal ? 'met' : 'NOT met');

/** "twins 3, spouses 1": the look-alike kinds that caused false positives, most first; empty when none did. */
export function falsePositiveCauses(confusion: Confusion): string {
  return [...LOOK_ALIKE_KINDS, 'unrelated' as const]
    .map((kind) => [kind, confusion.byLookAlikeKind[kind].falsePositives] as const)
    .filter(([, falsePositives]) => falsePositives > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([kind, falsePositives]) => `${kind} ${falsePositives}`)
    .join(', ');
}

export function formatIdentityReport(confusion: Confusion, goals: { precision: number; recall: number } = IDENTITY_GOALS): string {
  const c = confusion;
  const outcome = markdownTable(
    ['', 'same person', 'different persons'],
    [
      ['called duplicate (certain, probable)', `${count(c.truePositives)} TP`, `${count(c.falsePositives)} FP`],
      ['not called (possible, certainly-not, not listed)', `${count(c.falseNegatives)} FN`, `${count(c.trueNegatives)} TN`],
    ],
  );
  const measures = markdownTable(
    ['measure', 'value', 'goal', ''],
    [
      ['precision', ratio(c.precision), `≥ ${ratio(goals.precision)}`, verdict(c.precision, goals.precision)],
      ['recall', ratio(c.recall), `≥ ${ratio(goals.recall)}`, verdict(c.recall, goals.recall)],
      ['F1', ratio(c.f1), '', ''],
    ],
  );
  const missed = markdownTable(
    ['kind of change', 'pairs', 'missed', 'recall'],
    DUPLICATE_KINDS.filter((kind) => c.byDuplicateKind[kind].pairs > 0).map((kind) => {
      const { pairs, missed } = c.byDuplicateKind[kind];
      return [kind, count(pairs), count(missed), ratio((pairs - missed) / pairs)];
    }),
  );
  const lookAlikes = markdownTable(
    ['look-alike', 'pairs', 'called duplicate'],
    [...LOOK_ALIKE_KINDS, 'unrelated' as const].map((kind) => [kind, count(c.byLookAlikeKind[kind].pairs), count(c.byLookAlikeKind[kind].falsePositives)]),
  );
  const grades = markdownTable(
    ['pairs', ...MATCH_GRADES, 'not listed'],
    [
      ['same person', ...MATCH_GRADES.map((grade) => count(c.gradesOfSame[grade])), count(c.gradesOfSame.unlisted)],
      ['different persons', ...MATCH_GRADES.map((grade) => count(c.gradesOfDifferent[grade])), '–'],
    ],
  );
  const causes = falsePositiveCauses(c);
  return [
    `${count(c.records)} records, ${count(c.pairs)} pairs; a pair is called a duplicate when graded certain or probable.`,
    '',
    outcome,
    '',
    measures,
    '',
    causes ? `False positives by cause: ${causes}.` : 'No false positives.',
    '',
    'Duplicates by kind of change (a pair counts under each kind it has):',
    '',
    missed,
    '',
    'Look-alikes (different persons) called duplicates:',
    '',
    lookAlikes,
    '',
    'Grades given:',
    '',
    grades,
  ].join('\n');
}

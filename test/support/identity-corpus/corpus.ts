/**
 * The identity corpus: a seeded, generated population of patient records with known duplicates and known
 * look-alikes, for measuring a duplicate matcher (`npm run bench`) and for end-to-end tests of matching.
 * The same seed and settings give the same records, in the same order, everywhere.
 *
 * Storing it: live emails are unique, and so are all of the corpus's. A `shared-identifier` duplicate carries
 * its original's lab identifier, and a (system, value) pair belongs to one live patient: store one of the two
 * and send the other to `$match`, or store it without identifiers.
 */
import { makeDuplicate } from './duplicates.js';
import { LOOK_ALIKE_MAKERS } from './look-alikes.js';
import { FAMILY_NAMES } from './names.js';
import { makePerson } from './persons.js';
import { seededRandom } from './random.js';
import type { CorpusContext, CorpusRecord, DuplicateKind, LookAlikeKind } from './record.js';

export * from './record.js';

export interface CorpusSettings {
  seed: number;
  /** How many persons (look-alikes included); there are more records than persons by the duplicates. */
  persons: number;
  /** Of persons: who were registered more than once. */
  duplicatedShare: number;
  /** Of those: who were registered three times rather than twice. */
  thirdRecordShare: number;
  /** How many changes a duplicate has (1–3), by weight. */
  changesPerDuplicate: Readonly<Record<'1' | '2' | '3', number>>;
  /** How often each kind of change is drawn (kinds that cannot apply to a record are drawn again). */
  duplicateKinds: Readonly<Record<DuplicateKind, number>>;
  /** Of persons: who are a look-alike of an earlier person (a twin, a parent or child, a spouse, a namesake). */
  lookAlikeShare: number;
  lookAlikeKinds: Readonly<Record<LookAlikeKind, number>>;
  /** Of persons: with a phone, a national id, a lab's id. */
  phoneShare: number;
  nationalIdShare: number;
  labIdShare: number;
  /** 'YYYY-MM-DD': no date in the corpus is later. */
  today: string;
}

export const DEFAULT_CORPUS_SETTINGS: Omit<CorpusSettings, 'seed' | 'persons'> = Object.freeze({
  duplicatedShare: 0.3,
  thirdRecordShare: 0.25,
  changesPerDuplicate: { '1': 50, '2': 35, '3': 15 },
  duplicateKinds: {
    'typo-family': 12, 'typo-given': 10, 'accent-dropped': 6, 'names-swapped': 5, initial: 5, nickname: 8,
    'date-transposed': 6, 'date-digit': 8, 'married-name': 6, 'email-changed': 10, 'phone-changed': 8,
    'address-changed': 10, 'shared-identifier': 6,
  },
  lookAlikeShare: 0.1,
  lookAlikeKinds: { twin: 30, 'parent-child': 25, spouse: 25, 'common-name': 20 },
  phoneShare: 0.8,
  nationalIdShare: 0.2,
  labIdShare: 0.3,
  today: '2025-12-31',
});

export interface LookAlikePair {
  personA: number;
  personB: number;
  kind: LookAlikeKind;
}

export interface CorpusTruth {
  /** Every pair of records of the same person, as record indexes, the lower first, sorted. */
  samePerson: Array<[number, number]>;
  /** The pairs of persons made to look alike, with how (a pair of persons, whichever of their records). */
  lookAlikes: LookAlikePair[];
}

export interface Corpus {
  settings: CorpusSettings;
  records: CorpusRecord[];
  truth: CorpusTruth;
}

/** Family names common enough that namesakes are everyday (the front of the seed's list). */
const COMMON_FAMILY_NAMES = new Set(FAMILY_NAMES.slice(0, 30));

export function generateCorpus(options: Pick<CorpusSettings, 'seed' | 'persons'> & Partial<CorpusSettings>): Corpus {
  const settings: CorpusSettings = { ...DEFAULT_CORPUS_SETTINGS, ...options };
  const random = seededRandom(settings.seed);
  const context: CorpusContext = { random, today: settings.today, emails: new Set(), labIds: 0 };
  const shares = { phone: settings.phoneShare, nationalId: settings.nationalIdShare, labId: settings.labIdShare };

  const firsts: CorpusRecord[] = [];
  // Kept as they come, so that drawing a namesake's anchor does not scan every person.
  const commonlyNamed: CorpusRecord[] = [];
  const lookAlikes: LookAlikePair[] = [];
  for (let personId = 0; personId < settings.persons; personId++) {
    let first: CorpusRecord;
    if (firsts.length > 0 && random.chance(settings.lookAlikeShare)) {
      const kind = random.weighted(settings.lookAlikeKinds);
      // A namesake needs a common name to be likely; the other kinds can happen to anyone.
      const anchor = random.pick(kind === 'common-name' && commonlyNamed.length > 0 ? commonlyNamed : firsts);
      first = LOOK_ALIKE_MAKERS[kind](anchor, context, personId);
      lookAlikes.push({ personA: anchor.personId, personB: personId, kind });
    } else {
      first = makePerson(context, personId, shares);
    }
    firsts.push(first);
    if (COMMON_FAMILY_NAMES.has(first.familyName ?? '')) commonlyNamed.push(first);
  }

  const records: CorpusRecord[] = [];
  for (const first of firsts) {
    records.push(first);
    if (!random.chance(settings.duplicatedShare)) continue;
    const copies = random.chance(settings.thirdRecordShare) ? 2 : 1;
    for (let n = 0; n < copies; n++) {
      const changes = Number(random.weighted(settings.changesPerDuplicate));
      records.push(makeDuplicate(first, context, settings.duplicateKinds, changes));
    }
  }
  // Registration order, not person order: a matcher must not find duplicates by their neighbours.
  shuffle(records, context);
  return { settings, records, truth: { samePerson: samePersonPairs(records), lookAlikes } };
}

function shuffle<T>(items: T[], { random }: CorpusContext): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** All pairs of record indexes that share a person, the lower index first, in order. */
export function samePersonPairs(records: readonly Pick<CorpusRecord, 'personId'>[]): Array<[number, number]> {
  const byPerson = new Map<number, number[]>();
  records.forEach((record, index) => {
    const indexes = byPerson.get(record.personId);
    if (indexes) indexes.push(index);
    else byPerson.set(record.personId, [index]);
  });
  const pairs: Array<[number, number]> = [];
  for (const indexes of byPerson.values()) {
    for (let i = 0; i < indexes.length; i++) for (let j = i + 1; j < indexes.length; j++) pairs.push([indexes[i]!, indexes[j]!]);
  }
  return pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

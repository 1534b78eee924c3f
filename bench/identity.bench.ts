/**
 * Duplicate matching measured on the generated corpus (issue 21): the corpus's records are registered in a fresh
 * database (straight through the repository's insert, as the API would), then every record is matched against the
 * others with the real matcher (functions/patients/patient-match.service.ts `matchPatients`). The grades give the
 * confusion table, precision and recall of `certain + probable`.
 *
 * Alone: `npx tsx bench/identity.bench.ts postgres://postgres@127.0.0.1:5432/postgres [persons]` (a server on which
 * it may create and drop a database).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { dropDatabase, ensureDatabase, withDatabase } from '../scripts/local/postgres.js';
import { migrateToLatest } from '../scripts/migrate.js';
import { confusionTable, type PredictedPair } from '../test/support/identity-corpus/confusion.js';
import { generateCorpus } from '../test/support/identity-corpus/corpus.js';
import { formatIdentityReport } from '../test/support/identity-corpus/report.js';
import { summarize } from './stats.js';

export interface IdentityResults {
  report: string;
  precision: number;
  recall: number;
  records: number;
  matchP99Ms: number;
}

export async function benchmarkIdentity(adminUrl: string, persons = 3000, seed = 20261207): Promise<IdentityResults> {
  const name = `identity_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  try {
    await migrateToLatest(url);
    const { createDb } = await import('../functions/shared/db.js');
    const service = await import('../functions/patients/patients.service.js');
    const matcher = await import('../functions/patients/patient-match.service.js');
    const db = createDb(url, 4);
    try {
      const corpus = generateCorpus({ seed, persons });
      const caller = { actor: randomUUID(), requestId: 'identity-bench' };
      const idOf = new Map<string, number>();
      const ids: string[] = [];
      for (const [index, record] of corpus.records.entries()) {
        // Only one live patient may hold an identifier: a second record of it is registered without, and matched with it.
        const stored = await service.createPatient(db, caller, { ...record }).catch(() => service.createPatient(db, caller, { ...record, identifiers: [] }));
        idOf.set(stored.patient.id, index);
        ids.push(stored.patient.id);
      }
      const predicted: PredictedPair[] = [];
      const timings: number[] = [];
      for (const [index, record] of corpus.records.entries()) {
        const started = performance.now();
        const matches = await matcher.matchPatients(db, caller, record, { count: 20, onlyCertain: false, excludeId: ids[index] });
        timings.push(performance.now() - started);
        for (const match of matches) predicted.push({ a: index, b: idOf.get(match.patient.id)!, grade: match.grade });
      }
      const confusion = confusionTable(corpus, predicted);
      const latency = summarize(timings);
      const matchP99Ms = latency.p99Ms;
      const report = `${formatIdentityReport(confusion)}\n\n${corpus.records.length} records of ${persons} persons (seed ${seed}); each matched against the others: p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${matchP99Ms.toFixed(1)} ms (one connection, in process).`;
      return { report, precision: confusion.precision, recall: confusion.recall, records: corpus.records.length, matchP99Ms };
    } finally {
      await db.destroy();
    }
  } finally {
    await dropDatabase(adminUrl, name);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const adminUrl = process.argv[2];
  if (!adminUrl) throw new Error('usage: tsx bench/identity.bench.ts <admin database url> [persons]');
  const results = await benchmarkIdentity(adminUrl, Number(process.argv[3] ?? 3000));
  console.log(results.report);
}

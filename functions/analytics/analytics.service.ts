/**
 * Analytics: counts patient events from Kafka exactly once, and reports the counts.
 * Each event is counted in one transaction with the insert of its id into analytics.processed_events,
 * so a redelivered event changes nothing. Plain functions over plain types: no Lambda or Kafka types.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { Logger } from '../shared/logger.js';
import * as repo from './analytics.repository.js';
import { decodePatientEvent } from './patient-event.js';

/** One Kafka record as analytics needs it. */
export interface PatientEventRecord {
  topic: string;
  partition: number;
  /** Decimal string: Kafka offsets are 64-bit. */
  offset: string;
  value: Uint8Array | null;
}

export interface ConsumeReport {
  counted: number;
  duplicates: number;
  skipped: number;
}

/**
 * Counts `records` in the order given (callers pass each partition's records in offset order).
 * A record that cannot be decoded is recorded as skipped and logged by its coordinates. Any other
 * error (the database is down…) is thrown as it is: the records before it are already committed,
 * and when the caller retries the batch they are recognised as duplicates.
 */
export async function countPatientEvents(db: Kysely<Database>, records: PatientEventRecord[], log: Logger): Promise<ConsumeReport> {
  const report: ConsumeReport = { counted: 0, duplicates: 0, skipped: 0 };
  for (const record of records) {
    const decoded = decodePatientEvent(record.value);
    if (!decoded.ok) {
      await repo.recordSkipped(db, { ...record, reason: decoded.reason });
      // Coordinates and reason only: the event carries no patient data, and the bytes are not logged.
      log.warn({ topic: record.topic, partition: record.partition, offset: record.offset, reason: decoded.reason }, 'skipped a patient event that cannot be counted');
      report.skipped += 1;
      continue;
    }
    const counted = await db.transaction().execute(async (trx) => {
      if (!(await repo.markProcessed(trx, decoded.event))) return false;
      await repo.incrementDailyCount(trx, decoded.event);
      return true;
    });
    if (counted) report.counted += 1;
    else report.duplicates += 1;
  }
  return report;
}

/** The openapi.yaml `Analytics` schema. */
export interface Analytics {
  patientsCreated: number;
  patientsUpdated: number;
  patientsDeleted: number;
  activePatients: number;
  eventsProcessed: number;
  lastEventAt: string | null;
  createdPerDay: Array<{ date: string; count: number }>;
}

export async function getAnalytics(db: Kysely<Database>): Promise<Analytics> {
  const [totals, createdPerDay] = await Promise.all([repo.totalsByType(db), repo.dailyCounts(db, 'created')]);
  const total = (type: string) => Number(totals.find((row) => row.event_type === type)?.count ?? 0);
  const patientsCreated = total('created');
  const patientsDeleted = total('deleted');
  const lastEventAt = totals.reduce<Date | null>((latest, row) => (latest && latest > row.last_event_at ? latest : row.last_event_at), null);
  return {
    patientsCreated,
    patientsUpdated: total('updated'),
    patientsDeleted,
    // Never negative: if the topic's retention dropped the creation of a patient deleted since, the
    // delete is counted but the creation is not.
    activePatients: Math.max(0, patientsCreated - patientsDeleted),
    eventsProcessed: totals.reduce((sum, row) => sum + Number(row.count), 0),
    lastEventAt: lastEventAt?.toISOString() ?? null,
    createdPerDay: createdPerDay.map((row) => ({ date: row.day, count: Number(row.count) })),
  };
}

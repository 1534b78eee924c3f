/**
 * Analytics: counts patient events from Kafka exactly once, and reports the counts.
 * Each event is counted in the same statement as the insert of its id into analytics.processed_events,
 * so a redelivered event changes nothing. Plain functions over plain types: no Lambda or Kafka types.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { Logger } from '../shared/logger.js';
import * as repo from './analytics.repository.js';
import { decodePatientEvent, type CountableEvent } from './patient-event.js';

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
 * Counts `records`: the undecodable ones are recorded as skipped and logged by their coordinates, the others
 * are counted together in one statement (all of them or none). Any error (the database is down…) is thrown
 * as it is, with nothing of the batch counted; when the caller retries the batch, events an earlier delivery
 * counted are recognised as duplicates.
 */
export async function countPatientEvents(db: Kysely<Database>, records: PatientEventRecord[], log: Logger): Promise<ConsumeReport> {
  const events: CountableEvent[] = [];
  let skipped = 0;
  for (const record of records) {
    const decoded = decodePatientEvent(record.value);
    if (decoded.ok) {
      events.push(decoded.event);
      continue;
    }
    await repo.recordSkipped(db, { ...record, reason: decoded.reason });
    // Coordinates and reason only: the event carries no patient data, and the bytes are not logged.
    log.warn({ topic: record.topic, partition: record.partition, offset: record.offset, reason: decoded.reason }, 'skipped a patient event that cannot be counted');
    skipped += 1;
  }
  const counted = await repo.countNewEvents(db, events);
  return { counted, duplicates: events.length - counted, skipped };
}

/** The openapi.yaml `Analytics` schema. */
export interface Analytics {
  patientsCreated: number;
  patientsUpdated: number;
  patientsDeleted: number;
  /** Merges of a patient into another (the event is about the source, which leaves the active patients). */
  patientsMerged: number;
  /** Merges undone (the source is active again). */
  patientsUnmerged: number;
  activePatients: number;
  eventsProcessed: number;
  lastEventAt: string | null;
  createdPerDay: Array<{ date: string; count: number }>;
}

/**
 * A merged record (the merge's source) is no longer an active patient; undoing the merge makes it one again.
 * Never negative: if the topic's retention dropped the creation of a patient deleted or merged since, only the
 * latter is counted.
 */
export function countActivePatients(totals: { created: number; deleted: number; merged: number; unmerged: number }): number {
  return Math.max(0, totals.created - totals.deleted - totals.merged + totals.unmerged);
}

export async function getAnalytics(db: Kysely<Database>): Promise<Analytics> {
  const [totals, createdPerDay] = await Promise.all([repo.totalsByType(db), repo.dailyCounts(db, 'created')]);
  const total = (type: string) => Number(totals.find((row) => row.event_type === type)?.count ?? 0);
  const patientsCreated = total('created');
  const patientsDeleted = total('deleted');
  const patientsMerged = total('merged');
  const patientsUnmerged = total('unmerged');
  const lastEventAt = totals.reduce<Date | null>((latest, row) => (latest && latest > row.last_event_at ? latest : row.last_event_at), null);
  return {
    patientsCreated,
    patientsUpdated: total('updated'),
    patientsDeleted,
    patientsMerged,
    patientsUnmerged,
    activePatients: countActivePatients({ created: patientsCreated, deleted: patientsDeleted, merged: patientsMerged, unmerged: patientsUnmerged }),
    eventsProcessed: totals.reduce((sum, row) => sum + Number(row.count), 0),
    lastEventAt: lastEventAt?.toISOString() ?? null,
    createdPerDay: createdPerDay.map((row) => ({ date: row.day, count: Number(row.count) })),
  };
}

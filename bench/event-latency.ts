/**
 * Commit → visible in analytics: patients created through the HTTP API, each one's Kafka outbox row followed
 * until the analytics consumer has counted its event. The timestamps come from the database on both sides
 * (outbox.created_at, outbox.published_at, analytics.processed_events.processed_at), so how often we poll
 * does not change the numbers. The HTTP 201 time (client clock, same machine) is reported beside them.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../functions/shared/db.schema.js';
import { summarize, type LatencySummary } from './stats.js';

export interface EventLatencyOptions {
  apiUrl: string;
  db: Kysely<Database>;
  /** Patients to create (one `created` event each). */
  events: number;
  /** Creations started per second (open loop), at most `maxInFlight` at a time. */
  ratePerSecond: number;
  maxInFlight: number;
  /** How long to wait, after the last creation, for every event to be counted. */
  settleTimeoutMs: number;
}

export interface EventLatencyResult {
  /** Patients created (201); their events are the samples. */
  events: number;
  failedCreates: number;
  firstFailure?: string;
  visible: number;
  ratePerSecond: number;
  createSeconds: number;
  createResponse: LatencySummary;
  commitToPublished: LatencySummary;
  publishedToCounted: LatencySummary;
  commitToCounted: LatencySummary;
  responseToCounted: LatencySummary;
}

interface Created {
  patientId: string;
  respondedAt: number;
  responseMs: number;
}

const DEV_USER = { email: 'testuser@test.com', password: 'password123' };

async function post(url: string, body: unknown, token?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function signIn(apiUrl: string): Promise<string> {
  const response = await post(`${apiUrl}/auth/login`, DEV_USER);
  if (response.status !== 200) throw new Error(`signing in as ${DEV_USER.email} failed with ${response.status}`);
  return (response.body as { token: string }).token;
}

async function createPatient(apiUrl: string, token: string, index: number): Promise<Created> {
  const unique = `${Date.now().toString(36)}${index}`;
  const startedAt = performance.now();
  const response = await post(
    `${apiUrl}/api/patients`,
    { name: `Bench Patient ${unique}`, email: `bench.${unique}@example.org`, address: '1 Bench Street', dateOfBirth: '1980-01-01', registeredDate: '2024-01-01' },
    token,
  );
  const respondedAt = Date.now();
  if (response.status !== 201) throw new Error(`creating a patient failed with ${response.status}: ${JSON.stringify(response.body)}`);
  return { patientId: (response.body as { id: string }).id, respondedAt, responseMs: performance.now() - startedAt };
}

/** Starts a creation every 1/rate seconds (skipping ahead if the API falls behind), at most maxInFlight at once. */
async function createPatients(options: EventLatencyOptions, token: string): Promise<{ created: Created[]; failures: string[] }> {
  const created: Created[] = [];
  const failures: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const intervalMs = 1_000 / options.ratePerSecond;
  const startedAt = performance.now();
  for (let index = 0; index < options.events; index += 1) {
    const due = startedAt + index * intervalMs;
    if (due > performance.now()) await delay(due - performance.now());
    while (inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
    const work: Promise<void> = createPatient(options.apiUrl, token, index)
      .then((result) => void created.push(result))
      // A failed creation (a Lambda timeout on an overloaded machine) is reported, not fatal.
      .catch((error: unknown) => void failures.push((error as Error).message.slice(0, 200)))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  }
  await Promise.all(inFlight);
  return { created, failures };
}

interface EventTimes {
  patient_id: string;
  committed_at: Date;
  published_at: Date | null;
  processed_at: Date;
}

function countedEvents(db: Kysely<Database>, patientIds: string[]) {
  return sql<EventTimes>`
    select o.aggregate_id::text as patient_id, o.created_at as committed_at, o.published_at, p.processed_at
    from outbox o join analytics.processed_events p on p.event_id = o.event_id::text
    where o.destination = 'kafka' and o.aggregate_id = any(${patientIds}::uuid[])`.execute(db);
}

/**
 * serverless offline starts a worker per concurrent invocation, and a cold one fetches the JWKS and opens its
 * pools: a burst of cold starts on a small machine takes seconds (and can time the JWKS fetch out). Warm the
 * create, relay and analytics functions up to the measured concurrency first, and keep those events out of the numbers.
 */
async function warmUp(options: EventLatencyOptions, token: string): Promise<void> {
  const warmedUp: string[] = [];
  for (let round = 0; round < 3; round += 1) {
    const width = round === 0 ? 1 : options.maxInFlight;
    const outcomes = await Promise.allSettled(Array.from({ length: width }, (_, i) => createPatient(options.apiUrl, token, -1 - i)));
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') warmedUp.push(outcome.value.patientId);
  }
  await waitUntilCounted(options.db, warmedUp, options.settleTimeoutMs);
}

/** Polls until every patient's event is counted (or the time is up); returns the counted events' timestamps. */
async function waitUntilCounted(db: Kysely<Database>, patientIds: string[], timeoutMs: number): Promise<EventTimes[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await countedEvents(db, patientIds);
    if (rows.length >= patientIds.length || Date.now() > deadline) return rows;
    await delay(250);
  }
}

export async function benchmarkEventLatency(options: EventLatencyOptions): Promise<EventLatencyResult> {
  const token = await signIn(options.apiUrl);
  await warmUp(options, token);
  const startedAt = performance.now();
  const { created, failures } = await createPatients(options, token);
  if (created.length === 0) throw new Error(`every patient creation failed, e.g. ${failures[0] ?? ''}`);
  const createSeconds = (performance.now() - startedAt) / 1_000;
  const patientIds = created.map((c) => c.patientId);

  const rows = await waitUntilCounted(options.db, patientIds, options.settleTimeoutMs);

  const respondedAt = new Map(created.map((c) => [c.patientId, c.respondedAt]));
  const ms = (from: Date | number, to: Date) => to.getTime() - (typeof from === 'number' ? from : from.getTime());
  const published = rows.filter((r): r is EventTimes & { published_at: Date } => r.published_at !== null);
  return {
    events: patientIds.length,
    failedCreates: failures.length,
    firstFailure: failures[0],
    visible: rows.length,
    ratePerSecond: options.ratePerSecond,
    createSeconds,
    createResponse: summarize(created.map((c) => c.responseMs)),
    commitToPublished: summarize(published.map((r) => ms(r.committed_at, r.published_at))),
    publishedToCounted: summarize(published.map((r) => ms(r.published_at, r.processed_at))),
    commitToCounted: summarize(rows.map((r) => ms(r.committed_at, r.processed_at))),
    responseToCounted: summarize(rows.map((r) => ms(respondedAt.get(r.patient_id) ?? NaN, r.processed_at))),
  };
}

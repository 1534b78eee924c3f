/** After the load: does every record add up? Accounts, analytics and the outbox against the patients table. */
import pg from 'pg';

export interface Integrity {
  patients: number;
  deleted: number;
  accounts: number;
  withoutAccount: number;
  pending: number;
  parked: number;
  events: number;
  counted: { created: number; updated: number; deleted: number };
}

export async function readIntegrity(databaseUrl: string): Promise<Integrity> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-sampler' });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, number>>(`select
      (select count(*) from patients)::int as patients,
      (select count(*) from patients where deleted_at is not null)::int as deleted,
      (select count(*) from billing.accounts a join patients p on p.id = a.patient_id)::int as accounts,
      (select count(*) from patients p where not exists (select 1 from billing.accounts a where a.patient_id = p.id))::int as without_account,
      (select count(*) from outbox where published_at is null and next_attempt_at <> 'infinity')::int as pending,
      (select count(*) from outbox where published_at is null and next_attempt_at = 'infinity')::int as parked,
      (select count(*) from outbox where destination = 'kafka')::int as events,
      (select coalesce(sum(count), 0) from analytics.daily_counts where event_type = 'created')::int as created,
      (select coalesce(sum(count), 0) from analytics.daily_counts where event_type = 'updated')::int as updated,
      (select coalesce(sum(count), 0) from analytics.daily_counts where event_type = 'deleted')::int as counted_deleted`);
    const r = rows[0]!;
    return {
      patients: r.patients!,
      deleted: r.deleted!,
      accounts: r.accounts!,
      withoutAccount: r.without_account!,
      pending: r.pending!,
      parked: r.parked!,
      events: r.events!,
      counted: { created: r.created!, updated: r.updated!, deleted: r.counted_deleted! },
    };
  } finally {
    await client.end();
  }
}

/**
 * What the load itself changed: the state minus the state before it (earlier benchmarks of the same run
 * publish events of their own straight to Kafka, which analytics counts but no patient row matches).
 */
export function since(before: Integrity, after: Integrity): Integrity {
  const minus = (a: number, b: number) => a - b;
  return {
    patients: minus(after.patients, before.patients),
    deleted: minus(after.deleted, before.deleted),
    accounts: minus(after.accounts, before.accounts),
    withoutAccount: after.withoutAccount,
    pending: after.pending,
    parked: after.parked,
    events: minus(after.events, before.events),
    counted: {
      created: minus(after.counted.created, before.counted.created),
      updated: minus(after.counted.updated, before.counted.updated),
      deleted: minus(after.counted.deleted, before.counted.deleted),
    },
  };
}

/** What does not add up; empty when everything does. */
export function integrityProblems(i: Integrity): string[] {
  const problems: string[] = [];
  if (i.withoutAccount > 0) problems.push(`${i.withoutAccount} patient(s) without a billing account`);
  if (i.accounts !== i.patients) problems.push(`${i.accounts} billing accounts for ${i.patients} patients`);
  if (i.pending > 0 || i.parked > 0) problems.push(`outbox: ${i.pending} pending, ${i.parked} parked`);
  if (i.counted.created !== i.patients) problems.push(`analytics counted ${i.counted.created} created, the table has ${i.patients}`);
  if (i.counted.deleted !== i.deleted) problems.push(`analytics counted ${i.counted.deleted} deleted, the table has ${i.deleted}`);
  const counted = i.counted.created + i.counted.updated + i.counted.deleted;
  if (counted !== i.events) problems.push(`analytics counted ${counted} events of ${i.events} sent`);
  return problems;
}

/** Waits (bounded) until the outbox is drained and analytics caught up, then reads the final state. */
export async function settle(databaseUrl: string, baseline: Integrity, timeoutMs: number): Promise<{ integrity: Integrity; settledInMs: number }> {
  const started = performance.now();
  let integrity = since(baseline, await readIntegrity(databaseUrl));
  while (integrityProblems(integrity).length > 0 && performance.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    integrity = since(baseline, await readIntegrity(databaseUrl));
  }
  return { integrity, settledInMs: performance.now() - started };
}

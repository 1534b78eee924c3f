/**
 * The duplicate report against the real stack: pairs of likely duplicates registered through the API show up once
 * the outbox relay has scanned them (asynchronously: waited for, with a bound), newest first and paged; "Not a
 * duplicate" takes a pair off for good, also after an edit; a deleted patient's pairs vanish; admins only; audited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { call, eventually, login, newPatient, userWithRole } from '../support/api.js';
import { uniqueWord } from '../support/fhir.js';

interface Pair {
  pairId: string;
  patients: [{ id: string }, { id: string }];
  score: number;
  grade: string;
  contributions: { field: string; agreement: string; weight: number }[];
  foundAt: string;
}
interface Page {
  pairs: Pair[];
  nextCursor: string | null;
}

/** How long the relay may take to scan a change (it is kicked by the write; the sweep runs every 2 s). */
const SCAN_WAIT_MS = 60_000;
/** Pairs other tests left in the report come after ours (newest first); this many pages bound a walk. */
const MAX_PAGES = 20;

let admin: string;
let adminSub: string;
let clinician: string;
let database: pg.Client;

before(async () => {
  const signedIn = await login();
  admin = signedIn.token;
  adminSub = JSON.parse(Buffer.from(admin.split('.')[1]!, 'base64url').toString()).sub as string;
  clinician = (await userWithRole(admin, 'clinician')).token;
  database = new pg.Client({ connectionString: process.env.TEST_STACK_DATABASE_URL });
  await database.connect();
});
after(() => database?.end());

const page = async (query: string, token = admin) => {
  const response = await call('GET', `/api/patients/duplicates${query}`, { token, contract: '/api/patients/duplicates' });
  assert.equal(response.status, 200, response.text);
  return response.body as Page;
};

const decide = (patientIds: string[], token = admin) =>
  call('POST', '/api/patients/duplicates/decisions', { token, body: { patientIds, decision: 'not-duplicate' }, contract: '/api/patients/duplicates/decisions' });

const samePair = (pair: Pair, ids: readonly string[]) => pair.patients.every((patient) => ids.includes(patient.id)) && ids.length === 2;

/** The report as it reads now, walked page by page (`limit` pairs each) up to MAX_PAGES; `stop` ends the walk early. */
async function walk(limit: number, stop: (seen: Pair[]) => boolean = () => false): Promise<Pair[]> {
  const seen: Pair[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < MAX_PAGES; n += 1) {
    const current = await page(`?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...current.pairs);
    cursor = current.nextCursor;
    if (!cursor || stop(seen)) break;
  }
  return seen;
}

const findPair = async (ids: readonly string[]) => (await walk(100, (seen) => seen.some((pair) => samePair(pair, ids)))).find((pair) => samePair(pair, ids));
const shown = (ids: readonly string[]) => eventually(() => findPair(ids), SCAN_WAIT_MS, 500);

let dates = 0;
/** A birth date of its own (1930–2000), so the scan's birth-date block holds this person and few others. */
function uniqueBirthDate(): string {
  dates += 1;
  const day = new Date(Date.UTC(1930, 0, 1) + ((Date.now() / 1000 + dates * 7919) % 25_000) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

/**
 * Registers `count` records of one person the way duplicates happen: the family name mistyped (a letter left out),
 * a new email each time; the same given name, birth date, phone and address. Each pair of them is `certain`.
 */
async function samePerson(count: number): Promise<{ ids: string[]; bodies: Record<string, unknown>[] }> {
  const family = uniqueWord();
  const person = {
    givenNames: ['Marguerite'],
    dateOfBirth: uniqueBirthDate(),
    phone: `+44 20 ${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
    address: `${Math.floor(Math.random() * 900) + 10} ${uniqueWord()} Road, Leeds`,
  };
  const ids: string[] = [];
  const bodies: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i += 1) {
    const familyName = i === 0 ? family : `${family.slice(0, 3 + i)}${family.slice(4 + i)}`;
    const body = newPatient({ ...person, familyName, name: `Marguerite ${familyName}` });
    const created = await call('POST', '/api/patients', { token: admin, body, contract: '/api/patients' });
    assert.equal(created.status, 201, created.text);
    ids.push((created.body as { id: string }).id);
    bodies.push(body);
  }
  return { ids, bodies };
}

describe('the duplicate report', () => {
  test('shows a pair of likely duplicates once the relay has scanned them, with both records, the grade and why', async () => {
    const { ids } = await samePerson(2);

    const pair = await shown(ids);

    assert.ok(['certain', 'probable'].includes(pair.grade), pair.grade);
    assert.ok(pair.score > 0 && pair.score <= 1);
    assert.deepEqual(pair.patients.map((patient) => patient.id), [...ids].sort(), 'both records, in a fixed order');
    const why = pair.contributions.map((contribution) => contribution.agreement);
    assert.ok(why.includes('family typo') && why.includes('given exact') && why.includes('exact'), why.join(', '));
  });

  test('lists pairs newest first, and its pages follow one another without repeats or gaps', async () => {
    const older = await samePerson(2);
    await shown(older.ids);
    const newer = await samePerson(2);
    await shown(newer.ids);

    const byOnes = await walk(1, (seen) => seen.some((pair) => samePair(pair, older.ids)));
    const positionOf = (ids: string[]) => byOnes.findIndex((pair) => samePair(pair, ids));
    assert.ok(positionOf(newer.ids) >= 0 && positionOf(older.ids) > positionOf(newer.ids), 'the newer pair comes first');
    const pairIds = byOnes.map((pair) => Number(pair.pairId));
    assert.equal(new Set(pairIds).size, pairIds.length, 'no pair twice');
    assert.ok(pairIds.every((id, i) => i === 0 || id < pairIds[i - 1]!), 'each page older than the one before');
    // The same stretch read in one page: walking one at a time skipped nothing (nothing newer was found meanwhile
    // below the first pair, since pairs are only ever added on top).
    const below = await page(`?limit=${byOnes.length - 1}&cursor=${Buffer.from(`pair:${pairIds[0]}`).toString('base64url')}`);
    assert.deepEqual(below.pairs.map((pair) => pair.pairId), byOnes.slice(1).map((pair) => pair.pairId));
  });

  test('"Not a duplicate" takes the pair off at once, and it does not come back after an edit', async () => {
    const { ids, bodies } = await samePerson(3);
    const [first, second, third] = ids as [string, string, string];
    await shown([first, second]);
    const control = await shown([first, third]);

    const decided = await decide([second, first]);

    assert.equal(decided.status, 201, decided.text);
    const decision = decided.body as { patientIds: string[]; decision: string; decidedBy: string; decidedAt: string };
    assert.deepEqual(decision.patientIds, [first, second].sort());
    assert.equal(decision.decision, 'not-duplicate');
    assert.equal(decision.decidedBy, adminSub);
    assert.equal(await findPair([first, second]), undefined, 'gone from the report');
    // The other pairs of the same records stay.
    assert.ok(await findPair([first, third]));

    // Deciding again changes nothing: the first decision stands.
    const again = await decide([first, second]);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body, decided.body);

    // An edit rescans the first record: its pair with the third gets a new score (the phones differ now) ...
    const edited = await call('PUT', `/api/patients/${first}`, { token: admin, body: { ...bodies[0], registeredDate: undefined, phone: '+1 555 0100 999' }, contract: '/api/patients/{id}' });
    assert.equal(edited.status, 200, edited.text);
    await eventually(async () => {
      const rescanned = await findPair([first, third]);
      return rescanned && rescanned.score < control.score ? rescanned : undefined;
    }, SCAN_WAIT_MS, 500);
    // ... and the decided pair is still not there.
    assert.equal(await findPair([first, second]), undefined, 'a decided pair never comes back');
  });

  test('a deleted patient\'s pairs vanish from the report at once, and from its tables at the next scan', async () => {
    const { ids } = await samePerson(2);
    await shown(ids);

    const deleted = await call('DELETE', `/api/patients/${ids[0]}`, { token: admin });
    assert.equal(deleted.status, 204, deleted.text);

    assert.equal(await findPair(ids), undefined);
    await eventually(async () => {
      const { rows } = await database.query<{ n: number }>('select count(*)::int as n from patient_duplicates where $1 in (patient_a, patient_b)', [ids[0]]);
      return rows[0]!.n === 0 ? true : undefined;
    }, SCAN_WAIT_MS, 500);
  });

  test('records the decision in both patients\' audit trails, and the report\'s reading as a list read', async () => {
    const { ids } = await samePerson(2);
    const [first, second] = ids as [string, string];
    await shown(ids);
    assert.equal((await decide(ids)).status, 201);

    for (const [patientId, otherPatientId] of [[first, second], [second, first]]) {
      const response = await call('GET', `/api/audit-events?patientId=${patientId}`, { token: admin, contract: '/api/audit-events' });
      const events = (response.body as { events: { action: string; actor: string; outcome: string; details?: Record<string, unknown> }[] }).events;
      const decision = events.find((event) => event.action === 'decide_duplicate');
      assert.ok(decision, `no decide_duplicate for ${patientId}`);
      assert.equal(decision.actor, adminSub);
      assert.equal(decision.outcome, 'success');
      assert.deepEqual(decision.details, { decision: 'not-duplicate', otherPatientId, repeated: false });
      assert.ok(events.some((event) => event.action === 'list' && event.actor === adminSub), 'the report showed this patient to the admin');
    }
  });

  test('refuses a decision on an unknown or deleted patient (404) and on one patient twice (400)', async () => {
    const { ids } = await samePerson(2);
    const unknown = '00000000-0000-4000-8000-000000000000';
    assert.equal((await decide([ids[0]!, unknown])).status, 404);
    assert.equal((await decide([ids[0]!, ids[0]!])).status, 400);
    assert.equal((await call('DELETE', `/api/patients/${ids[1]}`, { token: admin })).status, 204);
    const refused = await decide(ids);
    assert.equal(refused.status, 404, refused.text);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json');
  });

  test('answers a clinician 403: the report and its decisions are for admins', async () => {
    const { ids } = await samePerson(2);
    assert.equal((await call('GET', '/api/patients/duplicates', { token: clinician, contract: '/api/patients/duplicates' })).status, 403);
    assert.equal((await decide(ids, clinician)).status, 403);
  });

  test('refuses a cursor it did not issue with 400', async () => {
    const response = await call('GET', '/api/patients/duplicates?cursor=bogus', { token: admin, contract: '/api/patients/duplicates' });
    assert.equal(response.status, 400);
  });
});

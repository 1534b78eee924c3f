/**
 * Races on the auth service against real PostgreSQL: the interleavings a single client cannot produce.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from '../../functions/shared/db.schema.js';
import { eventually } from '../support/api.js';
import { createMigratedTestDatabase } from '../support/database.js';

process.env.JWT_PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
process.env.LOGIN_MAX_FAILURES = '5';
const { createUser, endSession, login, refresh } = await import('../../functions/auth/auth.service.js');

let db: Kysely<Database>;
let close: () => Promise<void>;
let url: string;
let userId: string;
const user = { email: 'race@clinic.test', password: 'correct horse battery', role: 'clinician' as const };

before(async () => {
  ({ db, url, close } = await createMigratedTestDatabase('auth', 10));
  userId = (await createUser(db, user)).id;
});
after(async () => {
  await close?.();
});

const statusOf = (outcome: PromiseSettledResult<unknown>) =>
  outcome.status === 'fulfilled' ? 200 : (outcome.reason as { status?: number }).status;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const settle = <T>(work: Promise<T>): Promise<PromiseSettledResult<T>> =>
  work.then((value) => ({ status: 'fulfilled', value }) as const, (reason: unknown) => ({ status: 'rejected', reason }) as const);

/** Resolves once `count` sessions of the test database wait on a lock (the calls queued behind the test's row lock). */
async function waitersOnLocks(count: number): Promise<void> {
  await eventually(async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
    return rows[0]!.n >= count ? true : undefined;
  }, 10_000, 10);
}

/**
 * After a sign-out and a refresh of `refreshToken` have both finished: every token of that sign-in is revoked,
 * the refresh either failed with 401 or its successor no longer works, and the original token is dead.
 */
async function assertSignInEnded(refreshToken: string, renewal: PromiseSettledResult<{ refreshToken: string }>): Promise<void> {
  // Read before presenting any token again: presenting a used token revokes its family itself.
  const family = await db
    .selectFrom('refresh_tokens')
    .select(['revoked_at'])
    .where('family_id', '=', (eb) => eb.selectFrom('refresh_tokens').select('family_id').where('token_hash', '=', sha256(refreshToken)))
    .execute();
  assert.equal(family.length, renewal.status === 'fulfilled' ? 2 : 1, 'the original token, and its successor if the refresh won');
  assert.ok(family.every((token) => token.revoked_at !== null), 'every token of the sign-in is revoked');
  if (renewal.status === 'fulfilled') {
    await assert.rejects(refresh(db, renewal.value.refreshToken), (error: { status: number }) => error.status === 401);
  } else {
    assert.equal((renewal.reason as { status?: number }).status, 401);
  }
  await assert.rejects(refresh(db, refreshToken), (error: { status: number }) => error.status === 401);
}

describe('auth under concurrency', () => {
  test('two refreshes racing with the same token: one wins, and the reuse revokes the winner\'s successor too', async () => {
    const { refreshToken } = await login(db, { email: user.email, password: user.password, sourceIp: '10.1.1.1' });
    const outcomes = await Promise.allSettled([refresh(db, refreshToken), refresh(db, refreshToken)]);
    assert.deepEqual(outcomes.map(statusOf).sort(), [200, 401]);
    const winner = outcomes.find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<{ refreshToken: string }>;
    await assert.rejects(refresh(db, winner.value.refreshToken), (error: { status: number }) => error.status === 401);
  });

  test('a sign-out racing a refresh of the same token ends the sign-in, whichever of them wins', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { refreshToken } = await login(db, { email: user.email, password: user.password, sourceIp: '10.1.1.2' });
      const [renewal, signOut] = await Promise.allSettled([refresh(db, refreshToken), endSession(db, userId, refreshToken)]);
      assert.equal(signOut.status, 'fulfilled');
      await assertSignInEnded(refreshToken, renewal);
    }
  });

  for (const first of ['refresh', 'sign-out'] as const) {
    test(`when the ${first} takes the token's row first, the sign-in still ends with no working token`, async () => {
      const { refreshToken } = await login(db, { email: user.email, password: user.password, sourceIp: '10.1.1.3' });
      // Both queue behind a lock the test holds on the token's row, in a known order; PostgreSQL grants it first come, first served.
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      try {
        await holder.query('begin');
        await holder.query('select id from refresh_tokens where token_hash = $1 for update', [sha256(refreshToken)]);
        const renew = () => refresh(db, refreshToken);
        const signOut = () => endSession(db, userId, refreshToken);
        const [firstCall, secondCall] = first === 'refresh' ? [renew, signOut] : [signOut, renew];
        const firstOutcome = settle<unknown>(firstCall());
        await waitersOnLocks(1);
        const secondOutcome = settle<unknown>(secondCall());
        await waitersOnLocks(2);
        await holder.query('commit');
        const outcomes = await Promise.all([firstOutcome, secondOutcome]);
        const renewal = (first === 'refresh' ? outcomes[0] : outcomes[1]) as PromiseSettledResult<{ refreshToken: string }>;

        // The refresh that came first got a successor (then revoked by the sign-out); after the sign-out, none.
        assert.equal(renewal.status, first === 'refresh' ? 'fulfilled' : 'rejected');
        await assertSignInEnded(refreshToken, renewal);
      } finally {
        await holder.query('rollback').catch(() => undefined);
        await holder.end();
      }
    });
  }

  test('parallel wrong passwords for one account get exactly five tries before 429', async () => {
    const attempts = Array.from({ length: 12 }, (_, i) =>
      login(db, { email: user.email, password: `wrong guess ${i}`, sourceIp: `10.2.0.${i}` }));
    const statuses = (await Promise.allSettled(attempts)).map(statusOf);
    assert.equal(statuses.filter((s) => s === 401).length, 5);
    assert.equal(statuses.filter((s) => s === 429).length, 7);
  });
});

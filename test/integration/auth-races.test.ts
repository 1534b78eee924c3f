/**
 * Races on the auth service against real PostgreSQL: the interleavings a single client cannot produce.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { Database } from '../../functions/shared/db.schema.js';
import { createMigratedTestDatabase } from '../support/database.js';

process.env.JWT_PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
process.env.LOGIN_MAX_FAILURES = '5';
const { createUser, endSession, login, refresh } = await import('../../functions/auth/auth.service.js');

let db: Kysely<Database>;
let close: () => Promise<void>;
let userId: string;
const user = { email: 'race@clinic.test', password: 'correct horse battery', role: 'clinician' as const };

before(async () => {
  ({ db, close } = await createMigratedTestDatabase('auth', 10));
  userId = (await createUser(db, user)).id;
});
after(async () => {
  await close?.();
});

const statusOf = (outcome: PromiseSettledResult<unknown>) =>
  outcome.status === 'fulfilled' ? 200 : (outcome.reason as { status?: number }).status;

describe('auth under concurrency', () => {
  test('two refreshes racing with the same token: one wins, and the reuse revokes the winner\'s successor too', async () => {
    const { refreshToken } = await login(db, { email: user.email, password: user.password, sourceIp: '10.1.1.1' });
    const outcomes = await Promise.allSettled([refresh(db, refreshToken), refresh(db, refreshToken)]);
    assert.deepEqual(outcomes.map(statusOf).sort(), [200, 401]);
    const winner = outcomes.find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<{ refreshToken: string }>;
    await assert.rejects(refresh(db, winner.value.refreshToken), (error: { status: number }) => error.status === 401);
  });

  test('a sign-out racing a refresh of the same token leaves no working successor', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { refreshToken } = await login(db, { email: user.email, password: user.password, sourceIp: '10.1.1.2' });
      const [renewal] = await Promise.allSettled([refresh(db, refreshToken), endSession(db, userId, refreshToken)]);
      if (renewal.status === 'fulfilled') {
        await assert.rejects(refresh(db, renewal.value.refreshToken), (error: { status: number }) => error.status === 401);
      }
    }
  });

  test('parallel wrong passwords for one account get exactly five tries before 429', async () => {
    const attempts = Array.from({ length: 12 }, (_, i) =>
      login(db, { email: user.email, password: `wrong guess ${i}`, sourceIp: `10.2.0.${i}` }));
    const statuses = (await Promise.allSettled(attempts)).map(statusOf);
    assert.equal(statuses.filter((s) => s === 401).length, 5);
    assert.equal(statuses.filter((s) => s === 429).length, 7);
  });
});

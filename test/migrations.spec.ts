import { DataSource } from 'typeorm';
import { runMigrations, schemaDrift } from '@ozvps/core';
import { MIGRATIONS } from '@ozvps/migrations';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';

/** Runs every migration's up() again, as a half-finished earlier run or a second installer would. */
async function rerunEveryMigration(ds: DataSource): Promise<void> {
  const runner = ds.createQueryRunner();
  try {
    for (const Migration of MIGRATIONS) await new Migration().up(runner);
  } finally {
    await runner.release();
  }
}

describe('migrations', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeEach(async () => {
    db = await createTestDatabase({ empty: true });
    ds = await openDataSource(db.url);
  });

  afterEach(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('apply to an empty database, and a second run applies nothing', async () => {
    expect((await runMigrations(ds)).map((m) => m.name)).toEqual(MIGRATIONS.map((M) => new M().name));
    expect(await runMigrations(ds)).toEqual([]);
  });

  it('each run twice on an empty database leaves the same schema', async () => {
    await rerunEveryMigration(ds);
    await rerunEveryMigration(ds);
    expect(await schemaDrift(ds)).toEqual([]);
  });

  it('run again on a populated database keep every row and balance', async () => {
    await runMigrations(ds);
    await ds.query(`INSERT INTO users (email, name) VALUES ('kept@example.test', 'Kept')`);
    await ds.query(
      `INSERT INTO wallets (user_id, currency, balance_cents) SELECT id, 'aud', 1234 FROM users`,
    );
    await ds.query(
      `INSERT INTO wallet_transactions (wallet_id, type, amount_cents, balance_after_cents, actor, reason)
       SELECT id, 'admin_credit', 1234, 1234, 'test', 'seed' FROM wallets`,
    );

    await rerunEveryMigration(ds);
    expect(await runMigrations(ds)).toEqual([]);

    expect(
      await ds.query(`SELECT email, balance_cents FROM users JOIN wallets ON wallets.user_id = users.id`),
    ).toEqual([{ email: 'kept@example.test', balance_cents: '1234' }]);
    expect(await ds.query(`SELECT count(*)::int AS n FROM wallet_transactions`)).toEqual([{ n: 1 }]);
    // The append-only trigger is still in force after the re-run.
    await expect(ds.query(`DELETE FROM wallet_transactions`)).rejects.toThrow(/append-only/);
  });

  it('produce exactly the schema the entities describe (generate would find nothing)', async () => {
    await runMigrations(ds);
    expect(await schemaDrift(ds)).toEqual([]);
  });

  it('enforce email uniqueness regardless of letter case', async () => {
    await runMigrations(ds);
    await ds.query(`INSERT INTO users (email) VALUES ('Case@Example.test')`);
    await expect(ds.query(`INSERT INTO users (email) VALUES ('case@example.TEST')`)).rejects.toThrow(
      /users_email_lower_key/,
    );
  });

  it('serialise concurrent runners with the advisory lock: every migration applied once', async () => {
    const others = await Promise.all([openDataSource(db.url), openDataSource(db.url)]);
    try {
      const results = await Promise.all([ds, ...others].map((d) => runMigrations(d)));
      expect(results.flat()).toHaveLength(MIGRATIONS.length);
      const applied: { n: number }[] = await ds.query(`SELECT count(*)::int AS n FROM schema_migrations`);
      expect(applied[0]!.n).toBe(MIGRATIONS.length);
    } finally {
      await Promise.all(others.map((d) => d.destroy()));
    }
  });
});

import { DataSource } from 'typeorm';
import { MIGRATIONS } from '@ozvps/migrations';
import { Accounts1763800000017 } from '../migrations/1763800000017-accounts';
import { createTestDatabase, openDataSource, TestDatabase } from './helpers/database';

/** Applies every migration before 1763800000017, as a database from the previous release. */
async function migrateUpToAccounts(ds: DataSource): Promise<void> {
  const runner = ds.createQueryRunner();
  try {
    for (const Migration of MIGRATIONS) {
      if (Migration === Accounts1763800000017) break;
      await new Migration().up(runner);
    }
  } finally {
    await runner.release();
  }
}

describe('migration 1763800000017 (accounts): who counts as verified', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
    ds = await openDataSource(db.url);
    await migrateUpToAccounts(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const aUserRow = async (email: string, role = 'user'): Promise<number> =>
    (
      await ds.query(`INSERT INTO users (email, role) VALUES ($1, $2) RETURNING id::int AS id`, [email, role])
    )[0].id;

  it('verifies existing admins and users with a credited top-up, nobody else, and a second run verifies nobody new', async () => {
    const admin = await aUserRow('admin@example.test', 'admin');
    const payer = await aUserRow('payer@example.test');
    const pending = await aUserRow('pending@example.test');
    const fresh = await aUserRow('fresh@example.test');
    await ds.query(
      `INSERT INTO topups (user_id, amount_cents, currency, status) VALUES ($1, 2500, 'aud', 'credited'), ($2, 2500, 'aud', 'pending')`,
      [payer, pending],
    );

    const runner = ds.createQueryRunner();
    try {
      await new Accounts1763800000017().up(runner);
      const verified = async () =>
        (
          (await ds.query(
            `SELECT id::int AS id FROM users WHERE email_verified_at IS NOT NULL ORDER BY id`,
          )) as {
            id: number;
          }[]
        ).map((r) => r.id);
      expect(await verified()).toEqual([admin, payer]);

      // Later: a new admin and a new payment; running the migration again must not verify them.
      await aUserRow('later-admin@example.test', 'admin');
      await ds.query(
        `INSERT INTO topups (user_id, amount_cents, currency, status) VALUES ($1, 100, 'aud', 'credited')`,
        [fresh],
      );
      await new Accounts1763800000017().up(runner);
      expect(await verified()).toEqual([admin, payer]);
    } finally {
      await runner.release();
    }
  });
});

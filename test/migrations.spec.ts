import { DataSource } from 'typeorm';
import { runMigrations, schemaDrift } from '@ozvps/core';
import { MIGRATIONS } from '@ozvps/migrations';
import { WalletTotals1763800000016 } from '../migrations/1763800000016-wallet-totals';
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

  /** The schema as the release before 1763800000016 left it. */
  async function migrateBeforeTotals(): Promise<void> {
    const runner = ds.createQueryRunner();
    try {
      for (const Migration of MIGRATIONS.filter((M) => M !== WalletTotals1763800000016))
        await new Migration().up(runner);
    } finally {
      await runner.release();
    }
  }

  const totals = () =>
    ds.query(
      `SELECT id, topped_up_cents::int AS topped_up, spent_cents::int AS spent FROM wallets ORDER BY id`,
    );

  const ledgerRow = (client: { query: DataSource['query'] }, wallet: string, type: string, amount: number) =>
    client.query(
      `INSERT INTO wallet_transactions (wallet_id, type, amount_cents, balance_after_cents, actor, reason)
       VALUES ($1, $2, $3, 0, 'test', 'seed')`,
      [wallet, type, amount],
    );

  it("1763800000016 backfills each wallet's totals from its ledger, its trigger keeps them, and a second run changes nothing", async () => {
    await migrateBeforeTotals();
    await ds.query(`INSERT INTO users (email) VALUES ('a@example.test'), ('b@example.test')`);
    // Wallets as the old code left them: balances and rows, no totals.
    await ds.query(`INSERT INTO wallets (user_id, currency, balance_cents) SELECT id, 'aud', 0 FROM users`);
    const [a, b] = (
      await ds.query(`SELECT w.id FROM wallets w JOIN users u ON u.id = w.user_id ORDER BY u.email`)
    ).map((r: { id: string }) => r.id);
    const rows: [string, string, number][] = [
      [a, 'topup', 5000],
      [a, 'server_charge', -1200],
      [a, 'server_refund', 200],
      [a, 'admin_credit', 300],
      [a, 'topup', 700],
      [a, 'stripe_refund', -700],
      [b, 'admin_credit', 50],
    ];
    for (const [wallet, type, amount] of rows) await ledgerRow(ds, wallet, type, amount);

    const runner = ds.createQueryRunner();
    try {
      await new WalletTotals1763800000016().up(runner);
      expect(await totals()).toEqual([
        { id: a, topped_up: 5700, spent: 1000 },
        { id: b, topped_up: 0, spent: 0 },
      ]);
      // Any insert after it, by whatever code, moves the totals: plain SQL here.
      await ledgerRow(ds, b, 'topup', 40);
      await ledgerRow(ds, b, 'server_charge', -30);
      const once = await totals();
      expect(once).toEqual([
        { id: a, topped_up: 5700, spent: 1000 },
        { id: b, topped_up: 40, spent: 30 },
      ]);
      await new WalletTotals1763800000016().up(runner);
      expect(await totals()).toEqual(once);
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'wallet_transactions_keep_totals'`,
      );
      expect(n).toBe(1); // re-created, not doubled: each row still counts once
      await ledgerRow(ds, b, 'topup', 5);
      expect((await totals())[1]).toEqual({ id: b, topped_up: 45, spent: 30 });
    } finally {
      await runner.release();
    }
  });

  it('1763800000016 holds inserts into the ledger until its backfill and trigger commit together, so none is missed', async () => {
    await migrateBeforeTotals();
    await ds.query(`INSERT INTO users (email) VALUES ('a@example.test')`);
    await ds.query(`INSERT INTO wallets (user_id, currency) SELECT id, 'aud' FROM users`);
    const [{ id: wallet }] = await ds.query(`SELECT id FROM wallets`);
    await ledgerRow(ds, wallet, 'topup', 1000);

    const migrating = ds.createQueryRunner();
    const oldRelease = await openDataSource(db.url);
    try {
      await migrating.startTransaction();
      await new WalletTotals1763800000016().up(migrating);
      // The previous release appends a row while the migration's transaction is still open.
      const insert = ledgerRow(oldRelease, wallet, 'topup', 250);
      let landed = false;
      const land = () => (landed = true);
      void insert.then(land, land);
      // It waits on the migration's locks (polled, not timed); landing first would be the bug.
      for (;;) {
        if (landed) throw new Error('the insert landed while the migration was still open');
        const waiting = await ds.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO wallet_transactions%'`,
        );
        if (waiting.length > 0) break;
        await new Promise((r) => setImmediate(r));
      }
      await migrating.commitTransaction();
      await insert;
      expect(await totals()).toEqual([{ id: wallet, topped_up: 1250, spent: 0 }]);
    } finally {
      await migrating.release();
      await oldRelease.destroy();
    }
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

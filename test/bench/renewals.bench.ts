import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { RenewalsService } from '@ozvps/servers';
import { WalletService } from '@ozvps/wallet';
import { FakeVirtFusion } from '../fakes/virtfusion';
import { aPlanOnSale } from '../helpers/builders';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { bootLibs, TestClock } from '../helpers/panel';

/** The figure; BENCH_RENEWAL_SERVERS runs a smaller one (a multiple of PER_USER). */
const SERVERS = Number(process.env.BENCH_RENEWAL_SERVERS ?? 20_000);
const PER_USER = 10;
const PRICE = 1500;
const BARE = 5_000;
/** Every server's paid month ends within this one hour. */
const DUE = new Date('2026-03-01T09:00:00Z');

describe(`bench: one renewal run over ${SERVERS.toLocaleString('en')} servers due in the same hour`, () => {
  let db: TestDatabase;
  let vf: FakeVirtFusion;
  let app: INestApplicationContext;
  let clock: TestClock;
  let sql: Client;

  beforeAll(async () => {
    vf = await new FakeVirtFusion().start();
    db = await createTestDatabase();
    clock = new TestClock(DUE);
    app = await bootLibs(db.url, {
      env: { VIRTFUSION_URL: vf.url, VIRTFUSION_API_TOKEN: vf.token, LOG_LEVEL: 'warn' },
      servers: true,
      clock,
    });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const planId = await aPlanOnSale(app.get(DataSource));
    const users = SERVERS / PER_USER;
    // Each customer holds one month for each of their servers (one opening row: balance = ledger).
    await sql.query(
      `INSERT INTO users (email) SELECT 'renew' || g || '@example.test' FROM generate_series(1, $1::int) g`,
      [users],
    );
    await sql.query(
      `INSERT INTO wallets (user_id, currency, balance_cents) SELECT id, 'aud', $1 FROM users WHERE email LIKE 'renew%'`,
      [PER_USER * PRICE],
    );
    await sql.query(
      `INSERT INTO wallet_transactions (wallet_id, type, amount_cents, balance_after_cents, actor, reason)
       SELECT id, 'admin_credit', balance_cents, balance_cents, 'bench', 'opening balance' FROM wallets`,
    );
    await sql.query(
      `INSERT INTO servers (user_id, plan_id, status, step, hostname, os_template_id, idempotency_key,
                            price_monthly_cents, currency, periods_paid, anchor_at, paid_until)
       SELECT u.id, $1, 'active', 'done', 'vps' || u.id || '-' || k, 1, 'bench-' || k, $2, 'aud', 1,
              $3::timestamptz - interval '1 month' + (k * interval '10 seconds'),
              $3::timestamptz + (k * interval '10 seconds')
         FROM users u, generate_series(1, $4::int) k WHERE u.email LIKE 'renew%'`,
      [planId, PRICE, DUE.toISOString(), PER_USER],
    );
    await sql.query(`ANALYZE`);
  }, 300_000);

  afterAll(async () => {
    await sql.end();
    await app.close();
    await db.drop();
    await vf.stop();
  });

  it('reports the run time and ledger rows/s beside the bare ledger transaction', async () => {
    clock.set(new Date(DUE.getTime() + 59 * 60_000));
    const start = process.hrtime.bigint();
    const report = await app.get(RenewalsService).run();
    const runMs = Number(process.hrtime.bigint() - start) / 1e6;

    // Baseline: the ledger transaction alone (UPDATE wallets + INSERT wallet_transactions), one
    // connection one after another, as the renewal run goes.
    const wallets: { id: string; user_id: string }[] = (await sql.query(`SELECT id, user_id FROM wallets`))
      .rows;
    const bareStart = process.hrtime.bigint();
    for (let i = 0; i < BARE; i++) {
      await sql.query('BEGIN');
      const { rows } = await sql.query(
        `UPDATE wallets SET balance_cents = balance_cents + 1, updated_at = now() WHERE user_id = $1 RETURNING id, balance_cents`,
        [wallets[i % wallets.length]!.user_id],
      );
      await sql.query(
        `INSERT INTO wallet_transactions (wallet_id, type, amount_cents, balance_after_cents, actor, reason)
         VALUES ($1, 'admin_credit', 1, $2, 'bench', 'bare ledger baseline')`,
        [rows[0].id, rows[0].balance_cents],
      );
      await sql.query('COMMIT');
    }
    const bareMs = Number(process.hrtime.bigint() - bareStart) / 1e6;

    const [{ charges }] = (
      await sql.query(`SELECT count(*)::int AS charges FROM wallet_transactions WHERE type = 'server_charge'`)
    ).rows;
    const [{ events }] = (
      await sql.query(`SELECT count(*)::int AS events FROM server_events WHERE type = 'renewal_charged'`)
    ).rows;
    const verify = await app.get(WalletService).verify();
    const perSecond = (n: number, ms: number) => (n / (ms / 1000)).toFixed(0).padStart(6);
    console.log(
      [
        `renewals: one run over ${SERVERS.toLocaleString('en')} active servers due in the same hour (target < 60 s):`,
        `  bare ledger transaction (raw pg, 1 connection)   ${perSecond(BARE, bareMs)} rows/s   (baseline)`,
        `  renewal run                                      ${perSecond(charges, runMs)} charges/s   ${(
          (100 * (charges / runMs)) /
          (BARE / bareMs)
        ).toFixed(0)}% of baseline   ${(runMs / 1000).toFixed(1)} s in all`,
        `  report ${JSON.stringify(report)}; ledger charges ${charges}, renewal events ${events}; wallets verified ok: ${verify.ok}`,
      ].join('\n'),
    );
  }, 3_600_000);
});

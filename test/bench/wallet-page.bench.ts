import { Client } from 'pg';
import { aCustomerBrowser } from '../helpers/accounts';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { Browser } from '../helpers/http';
import { RunningApi, startPanel } from '../helpers/processes';

const BIG = 200_000;
const SMALL = 10;
const REQUESTS = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed(n: number, job: () => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await job();
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return latencies.sort((a, b) => a - b);
}

/** Appends `rows` ledger rows (top-ups and server charges, as a customer's year looks) and keeps the wallet in step. */
async function seedLedger(sql: Client, userId: number, rows: number): Promise<void> {
  // One bulk INSERT of 200,000 rows: the per-row trigger that keeps the wallet's totals would update
  // one wallet row 200,000 times; the seed turns triggers off for itself and sets the totals below.
  await sql.query(`SET session_replication_role = replica`);
  await sql.query(
    `INSERT INTO wallet_transactions (wallet_id, type, amount_cents, balance_after_cents, actor, reason, idempotency_key)
     SELECT w.id, CASE WHEN g % 2 = 1 THEN 'topup' ELSE 'server_charge' END,
            CASE WHEN g % 2 = 1 THEN 300 ELSE -100 END,
            (g / 2) * 200 + CASE WHEN g % 2 = 1 THEN 300 ELSE 0 END, 'bench', 'bench row', 'bench:' || w.id || ':' || g
       FROM wallets w, generate_series(1, $2::int) g WHERE w.user_id = $1`,
    [userId, rows],
  );
  await sql.query(
    `UPDATE wallets w SET balance_cents = s.total, topped_up_cents = s.topped_up, spent_cents = s.spent
       FROM (SELECT wallet_id, sum(amount_cents) AS total,
                    COALESCE(sum(amount_cents) FILTER (WHERE type = 'topup'), 0) AS topped_up,
                    COALESCE(-sum(amount_cents) FILTER (WHERE type IN ('server_charge', 'server_refund')), 0) AS spent
               FROM wallet_transactions GROUP BY wallet_id) s
      WHERE s.wallet_id = w.id AND w.user_id = $1`,
    [userId],
  );
  await sql.query(`SET session_replication_role = DEFAULT`);
  await sql.query(`ANALYZE wallet_transactions`);
}

describe(`bench: GET /api/wallet at ${SMALL} and ${BIG.toLocaleString('en')} ledger rows`, () => {
  let db: TestDatabase;
  let api: RunningApi;
  let small: Browser;
  let big: Browser;
  let sql: Client;
  let bigId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    let origin: string;
    ({ api, origin } = await startPanel(db.url, { LOG_LEVEL: 'warn' }));
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const s = await aCustomerBrowser(api, origin, 'small@example.test');
    const b = await aCustomerBrowser(api, origin, 'big@example.test');
    small = s.browser;
    big = b.browser;
    bigId = b.id;
    await seedLedger(sql, s.id, SMALL);
    await seedLedger(sql, b.id, BIG);
  }, 300_000);

  afterAll(async () => {
    await sql.end();
    await api.stop();
    await db.drop();
  });

  it('reports latency beside /api/health, and what the old summed totals cost on the same ledger', async () => {
    const get = (who: Browser, path: string) => async () => {
      const r = await who.request('GET', path);
      if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
    };
    // Warm-up: JIT, connection pool, the rows' pages in the buffer cache.
    for (const [who, path] of [
      [small, '/api/health'],
      [small, '/api/wallet'],
      [big, '/api/wallet'],
    ] as const)
      await timed(50, get(who, path));

    const health = await timed(REQUESTS, get(small, '/api/health'));
    const smallWallet = await timed(REQUESTS, get(small, '/api/wallet'));
    const bigWallet = await timed(REQUESTS, get(big, '/api/wallet'));
    // The summary query GET /api/wallet ran before the totals were kept on the wallet row.
    const oldTotals = await timed(20, async () => {
      await sql.query(
        `SELECT COALESCE(sum(amount_cents) FILTER (WHERE type = 'topup'), 0) AS topped_up,
                COALESCE(-sum(amount_cents) FILTER (WHERE type IN ('server_charge', 'server_refund')), 0) AS spent
           FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.user_id = $1`,
        [bigId],
      );
    });
    const body = (await big.request('GET', '/api/wallet')).body as { summary: unknown };

    const line = (label: string, l: number[]) =>
      `  ${label.padEnd(44)} p50 ${percentile(l, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(l, 99).toFixed(1).padStart(6)} ms`;
    console.log(
      [
        `GET /api/wallet, ${REQUESTS} sequential requests each (issue 21 baseline: 179 ms at 500,000 rows):`,
        line('GET /api/health (baseline)', health),
        line(`GET /api/wallet, ${SMALL} ledger rows`, smallWallet),
        line(`GET /api/wallet, ${BIG.toLocaleString('en')} ledger rows`, bigWallet),
        line(`old summary query alone, ${BIG.toLocaleString('en')} rows (SQL)`, oldTotals),
        `  big wallet's summary: ${JSON.stringify(body.summary)}`,
      ].join('\n'),
    );
  });
});
